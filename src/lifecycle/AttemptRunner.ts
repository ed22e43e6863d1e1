/**
 * One attempt at one agent: the acquisition ladder (bulkhead, the distributed lease, a
 * Retry-After hold, the circuit breaker), the adapter call under its timeout signal, and the
 * classification and backoff of a failure. It answers with the machine event the attempt ends
 * in; the interpreter feeds it to the machine.
 * @module
 */
import type { AgentAdapter } from '../agents/index.js';
import type { Clock } from '../clock/index.js';
import { iso } from '../clock/iso.js';
import type { Workflow } from '../config/index.js';
import { type ErrorClassifier, type ErrorInfo, wardenError } from '../errors/index.js';
import { attemptSignal, BulkheadFullError, type BackoffOptions, computeDelay } from '../policies/index.js';
import type { AgentPool } from './AgentPool.js';
import type { AttemptEvent } from './events.js';
import type { TaskEvent } from './taskMachine.js';
import { retryFor } from './TaskPlan.js';
import type { AttemptRecord } from './types.js';

/** Takes a slot of an agent's global concurrency limit; resolves with its release. */
export type LeaseFn = (agent: string, limit: number, ttlMs: number, signal: AbortSignal) => Promise<() => void>;

/** What the runner needs from the engine. */
export interface AttemptRunnerDeps {
  agents: AgentPool;
  clock: Clock;
  classifier: ErrorClassifier;
  random: () => number;
  /** The adapter that calls an agent. */
  adapter(agent: string): AgentAdapter;
  /** Blanks out secrets in an error's message. */
  redactInfo(info: ErrorInfo): ErrorInfo;
  /** The global lease of distributed mode, when the engine has one. */
  lease(): LeaseFn | undefined;
}

/** One attempt to run. */
export interface AttemptRequest {
  taskId: string;
  workflow: Workflow;
  input: unknown;
  agent: string;
  /** 1-based attempt number on this agent. */
  attempt: number;
  deadlineAt: number;
  /** The backoff that led to this attempt (for decorrelated jitter). */
  backoffMs: number;
  /** Aborted when the task leaves `attempting` some other way (a cancel, a deadline). */
  signal: AbortSignal;
  /** False once the attempt no longer matters (abandoned): its answer is then dropped. */
  isCurrent(): boolean;
  /** Called when the call starts, with its running attempt (so a live task shows it). */
  onStart(attempt: AttemptRecord): void;
}

/** How an attempt ended. */
export interface AttemptOutcome {
  /** The event for the machine. */
  event: TaskEvent;
  /** The attempt the event finishes, if a call was made. */
  attempt?: AttemptRecord;
  /** The finished call, for the engine's `attempt` event. */
  report?: AttemptEvent;
}

/** Runs attempts. One per engine. */
export class AttemptRunner {
  constructor(private readonly deps: AttemptRunnerDeps) {}

  /** Runs one attempt. Resolves undefined when the attempt was abandoned before it ended. */
  async run(req: AttemptRequest): Promise<AttemptOutcome | undefined> {
    const { agents, clock, classifier } = this.deps;
    const { agent, workflow: wf } = req;
    const slot = agents.get(agent);
    const failed = (error: ErrorInfo): AttemptOutcome => ({ event: { type: 'ATTEMPT_FAILED', error, at: clock.now(), delayMs: 0 } });
    if (!slot) return failed(wardenError('CONFIG_INVALID', `agent ${agent} is not configured`).toJSON());

    let release: () => void;
    try {
      release = slot.bulkhead.tryAcquire() ?? (await slot.bulkhead.acquire(req.signal));
    } catch (err) {
      if (!req.isCurrent()) return undefined;
      const error =
        err instanceof BulkheadFullError
          ? wardenError('BULKHEAD_FULL', `${agent} is at its concurrency limit and its queue is full`, { agent, cause: err })
          : classifier.classify(err);
      return failed(error.toJSON());
    }
    if (!req.isCurrent()) {
      release();
      return undefined;
    }
    const lease = this.deps.lease();
    if (lease) {
      // The agent's limit is global across workers: hold a lease in the database for the call.
      try {
        const local = release;
        const ttlMs = (wf.timeoutMs ?? slot.config.timeoutMs) + 60_000;
        const leased = await lease(agent, slot.bulkhead.limit, ttlMs, req.signal);
        release = () => {
          local();
          leased();
        };
      } catch (err) {
        release();
        if (!req.isCurrent()) return undefined;
        return failed(classifier.classify(err).toJSON());
      }
      if (!req.isCurrent()) {
        release();
        return undefined;
      }
    }
    // The agent asked every client to wait (a Retry-After another task received): no call before then.
    const heldMs = slot.holdUntil - clock.now();
    if (heldMs > 0) {
      release();
      const error = wardenError('RATE_LIMITED', `${agent} asked not to be called for another ${Math.ceil(heldMs)} ms`, {
        agent,
        retryAfterMs: heldMs,
      }).toJSON();
      // No call was made, so no attempt is spent: the task waits for the hold to end (or moves on past its deadline).
      return { event: { type: 'ATTEMPT_DEFERRED', error, at: clock.now(), delayMs: heldMs } };
    }
    if (!slot.breaker.tryAcquire()) {
      release();
      return failed(wardenError('CIRCUIT_OPEN', `circuit of ${agent} is open`, { agent }).toJSON());
    }
    return this.#call(req, release);
  }

  async #call(req: AttemptRequest, release: () => void): Promise<AttemptOutcome | undefined> {
    const { agents, clock, classifier } = this.deps;
    const { agent, workflow: wf } = req;
    const slot = agents.get(agent)!;
    const startedAt = clock.now();
    const running: AttemptRecord = { agent, attempt: req.attempt, startedAt: iso(startedAt), outcome: 'running' };
    req.onStart(running);
    const timeoutMs = Math.max(1, Math.min(wf.timeoutMs ?? slot.config.timeoutMs, req.deadlineAt - startedAt));
    const { signal, clear } = attemptSignal(clock, timeoutMs, req.signal);
    const report = (a: AttemptRecord, end: number): AttemptEvent => ({
      ...a,
      taskId: req.taskId,
      workflow: wf.name,
      durationMs: end - startedAt,
    });
    try {
      const output = await this.deps.adapter(agent).call(
        {
          taskId: req.taskId,
          workflow: wf.name,
          input: req.input,
          attempt: req.attempt,
          agent,
          deadline: iso(req.deadlineAt),
          idempotencyKey: `${req.taskId}:${agent}`,
        },
        signal,
      );
      const end = clock.now();
      agents.note(agent, end, true, end - startedAt);
      if (!req.isCurrent()) {
        slot.breaker.release();
        return undefined;
      }
      slot.breaker.recordSuccess();
      const ok: AttemptRecord = { ...running, endedAt: iso(end), outcome: 'ok' };
      return { event: { type: 'ATTEMPT_OK', output }, attempt: ok, report: report(ok, end) };
    } catch (err) {
      const end = clock.now();
      if (!req.isCurrent()) {
        slot.breaker.release();
        return undefined;
      }
      const error = classifier.classify(err);
      agents.note(agent, end, false, end - startedAt);
      if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) agents.hold(agent, error.retryAfterMs);
      // Only failures that say something about the agent's health move its breaker.
      if (error.category === 'logic') slot.breaker.release();
      else slot.breaker.recordFailure();
      const delayMs = computeDelay(retryFor(wf, slot.config) as BackoffOptions, {
        attempt: req.attempt,
        ...(req.backoffMs > 0 ? { previousDelayMs: req.backoffMs } : {}),
        errorCode: error.code,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
        random: this.deps.random,
      });
      const info = this.deps.redactInfo(error.toJSON());
      const failed: AttemptRecord = { ...running, endedAt: iso(end), outcome: 'error', error: info };
      return { event: { type: 'ATTEMPT_FAILED', error: info, at: end, delayMs }, attempt: failed, report: report(failed, end) };
    } finally {
      clear();
      release();
    }
  }
}
