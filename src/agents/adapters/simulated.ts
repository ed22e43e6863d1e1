import type { Clock } from '../../clock/index.js';
import { abortError } from '../abortError.js';
import type { AdapterContext, AgentAdapter, AgentRequest } from '../AgentAdapter.js';
import type { SimulatedAdapterConfig } from '../../config/adapterSchema.js';
import { forAgent } from '../forAgent.js';

// Shared by every call: the classifier only reads them, and benchmarks make 100k calls.
const NO_HEADERS = new Headers();
const TRANSIENT_BODY = '{"error":{"code":"SIMULATED_FAILURE","message":"simulated failure"}}';
const PERMANENT_BODY = '{"error":{"code":"SIMULATED_PERMANENT_FAILURE","message":"simulated permanent failure"}}';
const PERMANENT_STATUS = 422;

/**
 * An in-process stand-in agent for demos, drills and benchmarks. Each call waits its latency on
 * `ctx.clock` (so a `SimulatedClock` drives it), then fails like an HTTP `failStatus` answer with
 * probability `failureRate`, fails permanently (like a 422) with probability
 * `permanentFailureRate`, and otherwise answers `output`, or a summary naming the agent and task.
 *
 * Both random draws are made when the call starts, so a seeded `ctx.random` gives the same
 * outcomes for the same order of calls, whatever order their timers fire in. The configured
 * `output` is returned as is (not copied) on every call.
 *
 * @example
 * simulatedAdapter('demo', { type: 'simulated', latencyMs: [20, 200], failureRate: 0.1, failStatus: 503, permanentFailureRate: 0 }, ctx);
 */
export function simulatedAdapter(agentId: string, config: SimulatedAdapterConfig, ctx: AdapterContext): AgentAdapter {
  // The config's schema parses a fixed latency to [ms, ms], so there is always a range.
  const [minMs, maxMs] = config.latencyMs;
  const spanMs = Math.max(0, maxMs - minMs);
  const { failureRate, permanentFailureRate, failStatus } = config;
  const { clock, random, classifier } = ctx;

  return {
    async call(req: AgentRequest, signal: AbortSignal): Promise<unknown> {
      if (signal.aborted) throw forAgent(abortError(signal), agentId);
      const latencyMs = spanMs === 0 ? minMs : minMs + random() * spanMs;
      // one draw splits [0, 1) into transient, permanent and success, so each rate is exact
      const roll = failureRate > 0 || permanentFailureRate > 0 ? random() : 1;
      if (latencyMs > 0) await sleep(clock, latencyMs, signal, agentId);
      if (roll < failureRate) {
        throw classifier.fromHttpResponse(failStatus, NO_HEADERS, TRANSIENT_BODY, { agent: agentId });
      }
      if (roll < failureRate + permanentFailureRate) {
        throw classifier.fromHttpResponse(PERMANENT_STATUS, NO_HEADERS, PERMANENT_BODY, { agent: agentId });
      }
      if (config.output !== undefined) return config.output;
      return {
        agent: agentId,
        summary: `Simulated ${agentId} handled ${req.workflow} task ${req.taskId}`,
        attempt: req.attempt,
      };
    },
  };
}

/** Waits `ms` on `clock`; on abort, clears the timer and rejects with {@link abortError}. */
function sleep(clock: Clock, ms: number, signal: AbortSignal, agentId: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(forAgent(abortError(signal), agentId));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
