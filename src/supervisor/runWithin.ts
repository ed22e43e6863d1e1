/**
 * How the supervisor runs a check or a recovery strategy: under its own timeout and the
 * supervisor's stop, with a throw turned into a failed verdict.
 * @module
 */
import type { Clock } from '../clock/index.js';
import { attemptSignal } from '../policies/index.js';
import { describeFailure } from './checks/HealthCheck.js';

/**
 * Runs `work` with a signal that aborts after `timeoutMs` on the clock (`Infinity`: never) or
 * when `stop` aborts. A throw is `{ ok: false }`, with the reason in words: `timed out after N ms`
 * when the timeout fired, the error's own message otherwise (a stop included).
 * @internal
 */
export async function runWithin<R extends { ok: boolean; detail?: string }>(
  clock: Clock,
  timeoutMs: number,
  stop: AbortSignal,
  work: (signal: AbortSignal) => Promise<R>,
): Promise<R | { ok: false; detail: string }> {
  const { signal, clear } = attemptSignal(clock, timeoutMs, stop);
  try {
    return await work(signal);
  } catch (err) {
    return { ok: false, detail: signal.aborted && !stop.aborted ? `timed out after ${timeoutMs} ms` : describeFailure(err) };
  } finally {
    clear();
  }
}
