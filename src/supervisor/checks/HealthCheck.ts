/**
 * The one interface every health check implements, agent probes and system checks alike.
 * @module
 */
import { raceAbort } from '../../policies/raceAbort.js';

/** A check's verdict. */
export interface CheckResult {
  ok: boolean;
  /** Why, in words: `HTTP 503`, `event-loop delay 312 ms > 100 ms`. */
  detail?: string;
  /** The measured value where there is one (ms of delay, heap ratio, queue age in ms). */
  value?: number;
}

/** Something the supervisor can ask "are you well?". */
export interface HealthCheck {
  /** `http`, `command`, `passive`, `process`, or the system check's name. */
  readonly type: string;
  /**
   * Runs the check once. `signal` aborts at the check's timeout or when the supervisor stops;
   * a check that throws or is aborted has failed.
   */
  run(signal: AbortSignal): Promise<CheckResult>;
  /** Releases what the check holds (a histogram, a timer). */
  close?(): void;
}

/** How a component's check is run and judged (Kubernetes probe fields). */
export interface CheckTiming {
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  startupGraceMs: number;
}

/** A promise that rejects with the signal's reason once it aborts: for checks whose work cannot be cancelled. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return raceAbort(work, signal);
}

/** A readable reason for a thrown check error or an abort. */
export function describeFailure(err: unknown): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') return 'timed out';
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
