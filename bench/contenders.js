/**
 * The scenario contenders: Warden (through the drill simulator), cockatiel's
 * `wrap(fallback, retry, circuitBreaker)` and a naive retry loop, each against the same seeded
 * fault schedule on a simulated clock.
 * @module
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff as CockatielBackoff,
  circuitBreaker,
  fallback,
  handleAll,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';
import { createLoadedConfig, isWardenError, SimulatedClock } from '../dist/index.js';
import { FaultyAgents } from '../dist/drill/FaultyAgents.js';
import { hashSeed, mulberry32 } from '../dist/drill/mulberry32.js';
import { quantile, runDrill } from '../dist/drill/runDrill.js';
import { createScenario } from '../dist/drill/scenarios.js';
import { tick } from './lib.js';

/**
 * The policies every contender gets: the same attempts, backoff (full jitter), breaker threshold
 * and open times. Warden's breaker counts failures in a window; cockatiel's closest is the
 * ConsecutiveBreaker with the same threshold. Both close after one good probe.
 */
export const POLICY = {
  retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5000, multiplier: 2, jitter: 'full', errorMultipliers: {} },
  circuitBreaker: {
    failureThreshold: 5,
    windowMs: 60_000,
    openMs: 10_000,
    maxOpenMs: 60_000,
    openMultiplier: 2,
    halfOpenSuccesses: 1,
    halfOpenMaxProbes: 1,
  },
};

/** Simulated time over which tasks arrive; the fault is on for its middle half. */
export const SPAN_MS = 120_000;
const EPOCH = Date.parse('2026-01-01T00:00:00.000Z');

/** What each contender is, for the report. */
export const CONFIGURATIONS = {
  topology: 'workflow "job": primary agent "primary", fallback "secondary"; agents answer in 20–200 ms when healthy',
  warden: {
    agents: { maxConcurrency: 10_000, maxQueue: 100_000, timeoutMs: 30_000, retry: POLICY.retry, circuitBreaker: POLICY.circuitBreaker },
    fallbackChains: { primary: ['secondary'] },
    workflow: { deadlineMs: 600_000, degraded: 'static response' },
    store: 'memory:',
  },
  cockatiel: {
    perAgent: `wrap(retry(handleWhen(retryable), { maxAttempts: ${POLICY.retry.maxAttempts - 1}, backoff: ExponentialBackoff(full jitter, initialDelay ${POLICY.retry.initialDelayMs}, maxDelay ${POLICY.retry.maxDelayMs}, exponent ${POLICY.retry.multiplier}) }), circuitBreaker(handleWhen(not a logic error), { breaker: new ConsecutiveBreaker(${POLICY.circuitBreaker.failureThreshold}), halfOpenAfter: ExponentialBackoff(no jitter, ${POLICY.circuitBreaker.openMs} → ${POLICY.circuitBreaker.maxOpenMs} ms, ×${POLICY.circuitBreaker.openMultiplier}) }))`,
    task: 'wrap(fallback(handleAll, () => secondary.execute(call secondary)), primary).execute(call primary)',
    notes:
      'retry does not handle BrokenCircuitError, so an open circuit goes straight to the fallback; cockatiel reads Date.now and setTimeout, which are pointed at the simulated clock while it runs',
  },
  naiveRetry: {
    perAgent: `up to ${POLICY.retry.maxAttempts} attempts of retryable errors, full-jitter exponential backoff (${POLICY.retry.initialDelayMs} ms × ${POLICY.retry.multiplier}^n, max ${POLICY.retry.maxDelayMs} ms); no breaker, Retry-After ignored`,
    task: 'primary, then secondary',
  },
};

/** The calls a perfect breaker makes to an agent that is hard down for `window`: the threshold, then one probe per half-open window. */
export function outageFloor(
  b = POLICY.circuitBreaker,
  window = createScenario('outage', { seed: 0, targets: [], spanMs: SPAN_MS }).faultWindow,
) {
  let calls = b.failureThreshold;
  let open = b.openMs;
  for (let t = window.startMs + open; t < window.endMs; t += open) {
    calls++;
    open = Math.min(b.maxOpenMs, open * b.openMultiplier);
  }
  return calls;
}

/**
 * Warden on the scenario: the drill simulator with the bench's config.
 * @param {'outage' | 'rate-limit' | 'flaky'} scenario @param {number} seed @param {number} tasks
 */
export async function runWardenScenario(scenario, seed, tasks) {
  const agent = { adapter: { type: 'simulated' }, ...CONFIGURATIONS.warden.agents };
  const loaded = createLoadedConfig(
    { agents: { primary: agent, secondary: agent }, fallbackChains: CONFIGURATIONS.warden.fallbackChains, store: 'memory:' },
    {
      workflows: [
        {
          name: 'job',
          agent: 'primary',
          deadlineMs: CONFIGURATIONS.warden.workflow.deadlineMs,
          degraded: { response: { degraded: true } },
        },
      ],
    },
  );
  const r = await runDrill({ loaded, scenario, seed, tasks, spanMs: SPAN_MS, targets: ['primary'] });
  const job = r.workflows.job;
  const totalCalls = Object.values(r.agents).reduce((n, a) => n + a.calls, 0);
  return {
    successRate: job.successRate,
    degradedRate: job.degradedRate,
    failedRate: job.failedRate,
    totalCalls,
    callsToDeadAgent: scenario === 'outage' ? r.agents.primary.faulted : 0,
    p99LatencyMs: job.latencyMs.p99,
    retryAfter: r.retryAfter,
    circuitOpened: r.agents.primary.circuitOpened,
  };
}

/**
 * A contender that is not Warden, on the same schedule.
 * @param {'cockatiel' | 'naiveRetry'} kind @param {'outage' | 'rate-limit' | 'flaky'} scenarioName @param {number} seed @param {number} tasks
 */
export async function runOtherScenario(kind, scenarioName, seed, tasks) {
  const scenario = createScenario(scenarioName, { seed, targets: ['primary'], spanMs: SPAN_MS });
  const clock = new SimulatedClock(EPOCH);
  const agents = new FaultyAgents({ schedule: scenario.schedule, clock });
  const random = mulberry32(hashSeed(seed, kind));
  const restore = kind === 'cockatiel' ? pointGlobalsAt(clock) : () => {};
  try {
    const run = kind === 'cockatiel' ? cockatielTask(agents, random) : naiveTask(agents, random, clock, ['primary', 'secondary']);
    /** @type {{ ok: boolean; latencyMs: number }[]} */
    const outcomes = [];
    for (let i = 0; i < tasks; i++) {
      clock.setTimeout(
        () => {
          const start = clock.now();
          run(`task-${i}`).then(
            () => outcomes.push({ ok: true, latencyMs: clock.now() - start }),
            () => outcomes.push({ ok: false, latencyMs: clock.now() - start }),
          );
        },
        Math.floor((i * SPAN_MS) / tasks),
      );
    }
    for (let idle = 0; outcomes.length < tasks; ) {
      await tick();
      if (outcomes.length === tasks) break;
      if (clock.next()) idle = 0;
      else if (++idle > 100) throw new Error(`${kind} stalled with ${tasks - outcomes.length} tasks unfinished`);
    }
    const ok = outcomes.filter((o) => o.ok).length;
    return {
      successRate: ok / tasks,
      failedRate: (tasks - ok) / tasks,
      totalCalls: agents.calls.length,
      callsToDeadAgent: scenarioName === 'outage' ? agents.refusedCalls('primary') : 0,
      p99LatencyMs: quantile(
        outcomes.map((o) => o.latencyMs).sort((a, b) => a - b),
        0.99,
      ),
      retryAfter: agents.retryAfter(),
    };
  } finally {
    restore();
  }
}

/** @param {unknown} e */
const retryable = (e) => isWardenError(e) && e.retryable;
/** Warden's breaker counts every failure but logic errors (a 422 says nothing about the agent's health). @param {unknown} e */
const countsForBreaker = (e) => !(e instanceof BrokenCircuitError) && !(isWardenError(e) && e.category === 'logic');

/** cockatiel's generator for Warden's full jitter: random in [0, min(max, initial × exponent^n)]. @param {() => number} random */
const fullJitter = (random) =>
  /** @type {(state: number | undefined, o: { initialDelay: number; maxDelay: number; exponent: number }) => [number, number]} */ (
    (state = 0, o) => [Math.round(random() * Math.min(o.maxDelay, o.initialDelay * o.exponent ** state)), state + 1]
  );
/** @type {(state: number | undefined, o: { initialDelay: number; maxDelay: number; exponent: number }) => [number, number]} */
const noJitter = (state = 0, o) => [Math.min(o.maxDelay, o.initialDelay * o.exponent ** state), state + 1];

/** @param {FaultyAgents} agents @param {() => number} random */
function cockatielTask(agents, random) {
  const { retry: r, circuitBreaker: b } = POLICY;
  const perAgent = () =>
    wrap(
      retry(handleWhen(retryable), {
        maxAttempts: r.maxAttempts - 1, // cockatiel counts retries, Warden counts attempts
        backoff: new CockatielBackoff({
          generator: fullJitter(random),
          initialDelay: r.initialDelayMs,
          maxDelay: r.maxDelayMs,
          exponent: r.multiplier,
        }),
      }),
      circuitBreaker(handleWhen(countsForBreaker), {
        breaker: new ConsecutiveBreaker(b.failureThreshold),
        halfOpenAfter: new CockatielBackoff({
          generator: noJitter,
          initialDelay: b.openMs,
          maxDelay: b.maxOpenMs,
          exponent: b.openMultiplier,
        }),
      }),
    );
  const primary = perAgent();
  const secondary = perAgent();
  return (/** @type {string} */ id) =>
    wrap(
      fallback(handleAll, () => secondary.execute(() => agents.call('secondary', id))),
      primary,
    ).execute(() => agents.call('primary', id));
}

/** @param {FaultyAgents} agents @param {() => number} random @param {SimulatedClock} clock @param {string[]} plan */
function naiveTask(agents, random, clock, plan) {
  const { retry: r } = POLICY;
  return async (/** @type {string} */ id) => {
    for (const agent of plan) {
      for (let attempt = 1; attempt <= r.maxAttempts; attempt++) {
        try {
          return await agents.call(agent, id);
        } catch (e) {
          if (!retryable(e) || attempt === r.maxAttempts) break;
          const delay = Math.round(random() * Math.min(r.maxDelayMs, r.initialDelayMs * r.multiplier ** (attempt - 1)));
          await new Promise((res) => clock.setTimeout(() => res(undefined), delay));
        }
      }
    }
    throw new Error('every agent failed');
  };
}

/**
 * Points `Date.now`, `setTimeout` and `clearTimeout` at a simulated clock (cockatiel reads the
 * globals), as sinon's fake timers would; returns the undo.
 * @param {SimulatedClock} clock
 */
function pointGlobalsAt(clock) {
  const saved = { now: Date.now, setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  Date.now = () => clock.now();
  globalThis.setTimeout = /** @type {any} */ (
    (/** @type {(...a: unknown[]) => void} */ fn, /** @type {number} */ ms, /** @type {unknown[]} */ ...args) => {
      const h = /** @type {any} */ (clock.setTimeout(() => fn(...args), ms ?? 0));
      h.unref = () => h;
      h.ref = () => h;
      return h;
    }
  );
  globalThis.clearTimeout = /** @type {any} */ ((/** @type {any} */ h) => h && clock.clearTimeout(h));
  return () => {
    Date.now = saved.now;
    globalThis.setTimeout = saved.setTimeout;
    globalThis.clearTimeout = saved.clearTimeout;
  };
}
