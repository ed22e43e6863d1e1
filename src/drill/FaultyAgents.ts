import { abortError } from '../agents/abortError.js';
import type { AdapterContext, AgentAdapter, AgentRequest } from '../agents/AgentAdapter.js';
import { forAgent } from '../agents/forAgent.js';
import type { Clock } from '../clock/index.js';
import { ErrorClassifier, type WardenError } from '../errors/index.js';
import type { Fault, FaultSchedule } from './FaultSchedule.js';

/** One call an agent received. Times are ms since the drill began. */
export interface CallRecord {
  readonly agent: string;
  readonly taskId: string;
  readonly startedAt: number;
  /** When the answer (or the failure) came back; undefined while running or when aborted. */
  endedAt?: number;
  readonly fault: Fault;
  outcome: 'running' | 'ok' | 'failed' | 'aborted';
}

/** Calls and outcomes of one agent. */
export interface AgentCallStats {
  calls: number;
  ok: number;
  failed: number;
  /** Calls abandoned by the caller (a timeout, a cancel, a deadline). */
  aborted: number;
  /** Calls that met a fault: a refused connection, an error status or (in `latency-spike`) a slow answer. */
  faulted: number;
}

/** How well callers waited out the Retry-After of 429 answers. */
export interface RetryAfterStats {
  /** Calls a task made to an agent after that agent answered it 429 with a Retry-After. */
  followUps: number;
  /** Of those, the calls made no earlier than the Retry-After asked. */
  honoured: number;
  /** `honoured / followUps`, 1 when there were none. */
  honouredRate: number;
  /**
   * Calls (by any task) that reached an agent after it had sent some caller a Retry-After:
   * the calls the agent-wide reading of Retry-After judges.
   */
  callsAfterAnyRetryAfter: number;
  /**
   * Of those, the calls that came while a Retry-After the agent had already sent was still
   * running: the agent asked its client (Warden as a whole, not one task) to wait, and it did not.
   */
  callsInsideAnyRetryAfter: number;
  /** `1 − callsInsideAnyRetryAfter / callsAfterAnyRetryAfter`, 1 when there were none. */
  agentWideHonouredRate: number;
}

/** Options of {@link FaultyAgents}. */
export interface FaultyAgentsOptions {
  schedule: FaultSchedule;
  clock: Clock;
  /** The clock time the drill began at: fault times are measured from it. Defaults to `clock.now()`. */
  originMs?: number;
  /** What a successful call answers for a workflow. Defaults to a summary naming the agent and task. */
  outputFor?: (req: AgentRequest) => unknown;
  /** Classifies failures for {@link FaultyAgents.call}. Defaults to one without rules on `clock`. */
  classifier?: ErrorClassifier;
}

const NO_HEADERS = new Headers();
const STATUS_BODY = '{"error":{"code":"DRILL_FAULT","message":"injected by the fault schedule"}}';

/**
 * In-process agents that obey a {@link FaultSchedule}: each call takes its fault's latency on the
 * clock (so a `SimulatedClock` drives it), then answers or fails as the schedule says, and is
 * logged. Errors are classified the way a real HTTP agent's would be (a 429's Retry-After
 * included), so every caller, Warden or not, sees the same failures.
 *
 * @example
 * const agents = new FaultyAgents({ schedule, clock });
 * const engine = await createEngine({ config, clock, adapterFor: (id, ctx) => agents.adapter(id, ctx) });
 */
export class FaultyAgents {
  /** Every call, in the order they started. */
  readonly calls: CallRecord[] = [];
  readonly #o: FaultyAgentsOptions;
  readonly #origin: number;
  readonly #classifier: ErrorClassifier;
  readonly #counts = new Map<string, number>();

  constructor(opts: FaultyAgentsOptions) {
    this.#o = opts;
    this.#origin = opts.originMs ?? opts.clock.now();
    this.#classifier = opts.classifier ?? new ErrorClassifier([], { now: () => opts.clock.now() });
  }

  /** Ms since the drill began. */
  get elapsedMs(): number {
    return this.#o.clock.now() - this.#origin;
  }

  /** An adapter for Warden's engine: failures are classified by the engine's own classifier (its rules included). */
  adapter(agentId: string, ctx: AdapterContext): AgentAdapter {
    return { call: (req, signal) => this.#call(agentId, req, signal, ctx.classifier) };
  }

  /** One call from a caller that is not Warden (a benchmark contender). Rejects with a classified `WardenError`. */
  call(agent: string, taskId: string, signal?: AbortSignal): Promise<unknown> {
    const req: AgentRequest = {
      taskId,
      workflow: 'drill',
      input: null,
      attempt: 0,
      agent,
      deadline: '',
      idempotencyKey: `${taskId}:${agent}`,
    };
    return this.#call(agent, req, signal, this.#classifier);
  }

  /** Calls and outcomes per agent, agents sorted by id. */
  stats(): Record<string, AgentCallStats> {
    const out: Record<string, AgentCallStats> = {};
    for (const c of this.calls) {
      const s = (out[c.agent] ??= { calls: 0, ok: 0, failed: 0, aborted: 0, faulted: 0 });
      s.calls++;
      if (c.outcome === 'ok') s.ok++;
      else if (c.outcome === 'failed') s.failed++;
      else if (c.outcome === 'aborted') s.aborted++;
      if (c.fault.kind !== 'ok' || c.fault.latencyMs > SLOW_MS) s.faulted++;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Calls to `agent` that met a refused connection: calls to a dead agent. */
  refusedCalls(agent?: string): number {
    return this.calls.filter((c) => c.fault.kind === 'refused' && (agent === undefined || c.agent === agent)).length;
  }

  /** How callers treated the Retry-After of 429 answers. */
  retryAfter(): RetryAfterStats {
    const byCaller = new Map<string, CallRecord[]>();
    for (const c of this.calls) {
      const key = `${c.taskId}\u0000${c.agent}`;
      const list = byCaller.get(key);
      if (list) list.push(c);
      else byCaller.set(key, [c]);
    }
    let followUps = 0;
    let honoured = 0;
    for (const list of byCaller.values()) {
      for (let i = 0; i + 1 < list.length; i++) {
        const wait = retryAfterEnd(list[i]!);
        if (wait === undefined) continue;
        followUps++;
        if (list[i + 1]!.startedAt >= wait) honoured++;
      }
    }
    // Agent-wide: a call is early when an answer that had already come back asked for a later time.
    let inside = 0;
    let after = 0;
    const byAgent = new Map<string, CallRecord[]>();
    for (const c of this.calls) {
      const list = byAgent.get(c.agent);
      if (list) list.push(c);
      else byAgent.set(c.agent, [c]);
    }
    for (const list of byAgent.values()) {
      const answers = list.filter((c) => retryAfterEnd(c) !== undefined).sort((a, b) => a.endedAt! - b.endedAt!);
      let j = 0;
      let until = -Infinity;
      for (const c of list) {
        while (j < answers.length && answers[j]!.endedAt! <= c.startedAt) until = Math.max(until, retryAfterEnd(answers[j++]!)!);
        if (j > 0) after++;
        if (c.startedAt < until) inside++;
      }
    }
    return {
      followUps,
      honoured,
      honouredRate: followUps ? honoured / followUps : 1,
      callsAfterAnyRetryAfter: after,
      callsInsideAnyRetryAfter: inside,
      agentWideHonouredRate: after ? 1 - inside / after : 1,
    };
  }

  async #call(agent: string, req: AgentRequest, signal: AbortSignal | undefined, classifier: ErrorClassifier): Promise<unknown> {
    if (signal?.aborted) throw forAgent(abortError(signal), agent);
    const index = this.#counts.get(agent) ?? 0;
    this.#counts.set(agent, index + 1);
    const startedAt = this.elapsedMs;
    const fault = this.#o.schedule.faultFor(agent, startedAt, index);
    const record: CallRecord = { agent, taskId: req.taskId, startedAt, fault, outcome: 'running' };
    this.calls.push(record);
    try {
      await sleep(this.#o.clock, fault.latencyMs, signal);
    } catch {
      record.outcome = 'aborted';
      throw forAgent(abortError(signal!), agent);
    }
    record.endedAt = this.elapsedMs;
    if (fault.kind === 'ok') {
      record.outcome = 'ok';
      return this.#o.outputFor ? this.#o.outputFor(req) : { agent, summary: `drill answer from ${agent} for task ${req.taskId}` };
    }
    record.outcome = 'failed';
    throw forAgent(failure(fault, agent, classifier), agent);
  }
}

/** A call slower than this met the `latency-spike` fault. */
const SLOW_MS = 10_000;

function failure(fault: Exclude<Fault, { kind: 'ok' }>, agent: string, classifier: ErrorClassifier): WardenError {
  if (fault.kind === 'refused') {
    const err = Object.assign(new Error(`connect ECONNREFUSED (${agent} is down)`), { code: 'ECONNREFUSED' });
    return classifier.classify(err, { agent });
  }
  const headers = fault.retryAfterMs === undefined ? NO_HEADERS : new Headers({ 'retry-after': String(fault.retryAfterMs / 1000) });
  return classifier.fromHttpResponse(fault.status, headers, STATUS_BODY, { agent });
}

const retryAfterEnd = (c: CallRecord): number | undefined =>
  c.fault.kind === 'status' && c.fault.retryAfterMs !== undefined && c.endedAt !== undefined ? c.endedAt + c.fault.retryAfterMs : undefined;

/** Waits `ms` on `clock`; rejects when `signal` aborts first. */
function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
