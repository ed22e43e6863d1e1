import { inWindow, type Fault, type FaultSchedule, type TimeWindow } from './FaultSchedule.js';
import { hashSeed, mulberry32 } from './mulberry32.js';

/** The faults a drill can inject. */
export type ScenarioName = 'outage' | 'rate-limit' | 'flaky' | 'latency-spike';

/** Every scenario, in the order the CLI lists them. */
export const SCENARIO_NAMES: readonly ScenarioName[] = ['outage', 'rate-limit', 'flaky', 'latency-spike'];

/** Options of {@link createScenario}. */
export interface ScenarioOptions {
  /** Seeds every random draw of the schedule. */
  seed: number;
  /** The agents the fault hits (a drill passes each workflow's primary agent). `flaky` hits every agent. */
  targets: readonly string[];
  /** Tasks arrive evenly over this many ms. Defaults to 120000; the fault window scales with it. */
  spanMs?: number;
}

/** A scenario: its fault schedule, when the fault is on, and how long tasks keep arriving. */
export interface Scenario {
  readonly name: ScenarioName;
  /** One sentence for reports. */
  readonly description: string;
  /** Tasks arrive evenly over `[0, spanMs)`. */
  readonly spanMs: number;
  /** When the targets are faulty. */
  readonly faultWindow: TimeWindow;
  readonly targets: readonly string[];
  readonly schedule: FaultSchedule;
}

/** The latency of a healthy call: uniform in [20, 200) ms. */
export const HEALTHY_LATENCY_MS: readonly [number, number] = [20, 200];
/** A refused connection fails this fast. */
const REFUSED_LATENCY_MS = 1;
/** `rate-limit`: the provider's quota window; a 429 asks the caller to come back when it resets. */
export const QUOTA_WINDOW_MS = 15_000;
/** `flaky`: the share of calls failing with a transient 503, and with a permanent 422. */
export const FLAKY_RATES = { transient: 0.3, permanent: 0.05 } as const;
/** `latency-spike`: calls to a target take this long, far past any sensible per-attempt timeout. */
export const SPIKE_LATENCY_MS: readonly [number, number] = [15_000, 45_000];

const DEFAULT_SPAN_MS = 120_000;

/**
 * Builds a scenario's fault schedule. The fault is on for the middle half of the span (30 s to
 * 90 s of a 120 s drill), so each drill shows the fault arriving, lasting and going away.
 *
 * - `outage`: the targets refuse every connection (hard down); other agents are healthy.
 * - `rate-limit`: the targets answer 429 with a Retry-After (whole seconds) that points at the
 *   end of the provider's current 15 s quota window; other agents are healthy.
 * - `flaky`: every agent, all the time: 30 % of calls fail with a transient 503, 5 % with a
 *   permanent 422.
 * - `latency-spike`: calls to the targets take 15–45 s, so per-attempt timeouts fire.
 *
 * @example
 * const { schedule } = createScenario('outage', { seed: 1, targets: ['primary'] });
 * schedule.faultFor('primary', 45_000, 17); // { kind: 'refused', latencyMs: 1 }
 */
export function createScenario(name: ScenarioName, opts: ScenarioOptions): Scenario {
  const spanMs = opts.spanMs ?? DEFAULT_SPAN_MS;
  const faultWindow: TimeWindow = { startMs: Math.round(spanMs / 4), endMs: Math.round((spanMs * 3) / 4) };
  const targets = new Set(opts.targets);
  const draws = (agent: string, callIndex: number) => mulberry32(hashSeed(opts.seed, name, agent, callIndex));
  const healthy = (random: () => number): Fault => ({ kind: 'ok', latencyMs: between(HEALTHY_LATENCY_MS, random()) });
  const hit = (agent: string, atMs: number) => targets.has(agent) && inWindow(faultWindow, atMs);

  let faultFor: FaultSchedule['faultFor'];
  let description: string;
  switch (name) {
    case 'outage':
      description = `${list(opts.targets)} hard down (connection refused) from ${s(faultWindow.startMs)} to ${s(faultWindow.endMs)}; every other agent healthy`;
      faultFor = (agent, atMs, callIndex) =>
        hit(agent, atMs) ? { kind: 'refused', latencyMs: REFUSED_LATENCY_MS } : healthy(draws(agent, callIndex));
      break;
    case 'rate-limit':
      description = `${list(opts.targets)} answer 429 with Retry-After (until their ${s(QUOTA_WINDOW_MS)} quota window resets) from ${s(faultWindow.startMs)} to ${s(faultWindow.endMs)}`;
      faultFor = (agent, atMs, callIndex) => {
        const random = draws(agent, callIndex);
        if (!hit(agent, atMs)) return healthy(random);
        const latencyMs = between([5, 20], random());
        const resetAt = faultWindow.startMs + Math.floor((atMs - faultWindow.startMs) / QUOTA_WINDOW_MS + 1) * QUOTA_WINDOW_MS;
        // Whole seconds, as servers send them, rounded up so that the wait never ends early.
        const retryAfterMs = Math.max(1, Math.ceil((resetAt - (atMs + latencyMs)) / 1000)) * 1000;
        return { kind: 'status', status: 429, latencyMs, retryAfterMs };
      };
      break;
    case 'flaky':
      description = `every agent, all the time: ${FLAKY_RATES.transient * 100} % of calls fail with a transient 503, ${FLAKY_RATES.permanent * 100} % with a permanent 422`;
      faultFor = (agent, _atMs, callIndex) => {
        const random = draws(agent, callIndex);
        const latencyMs = between(HEALTHY_LATENCY_MS, random());
        const roll = random();
        if (roll < FLAKY_RATES.transient) return { kind: 'status', status: 503, latencyMs };
        if (roll < FLAKY_RATES.transient + FLAKY_RATES.permanent) return { kind: 'status', status: 422, latencyMs };
        return { kind: 'ok', latencyMs };
      };
      break;
    case 'latency-spike':
      description = `calls to ${list(opts.targets)} take ${s(SPIKE_LATENCY_MS[0])}–${s(SPIKE_LATENCY_MS[1])} from ${s(faultWindow.startMs)} to ${s(faultWindow.endMs)}`;
      faultFor = (agent, atMs, callIndex) => {
        const random = draws(agent, callIndex);
        return hit(agent, atMs) ? { kind: 'ok', latencyMs: between(SPIKE_LATENCY_MS, random()) } : healthy(random);
      };
      break;
    default:
      throw new RangeError(`unknown scenario "${String(name)}"; expected one of ${SCENARIO_NAMES.join(', ')}`);
  }
  return { name, description, spanMs, faultWindow, targets: [...opts.targets], schedule: { scenario: name, faultFor } };
}

/** Whether `name` is a scenario. */
export const isScenarioName = (name: string): name is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(name);

const between = ([min, max]: readonly [number, number], u: number) => Math.round(min + u * (max - min));
const s = (ms: number) => `${ms / 1000} s`;
const list = (agents: readonly string[]) => (agents.length ? agents.join(', ') : 'no agent');
