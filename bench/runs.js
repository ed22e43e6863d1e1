/**
 * Runs (multi-step workflows) against single tasks, each pair measured on one engine in the same
 * run, so that the ratio holds on a noisy machine:
 *
 * - *chain*: the engine's own time per step of a 10-step chain (step i needs step i - 1), runs one
 *   at a time, against its own time per single task, tasks one at a time, interleaved with the runs.
 * - *forEach*: one run whose step has one child per item of a 1,000-item list (`maxParallel` 1000,
 *   the schema's maximum, so it is not the limit) on SQLite, against 1,000 single tasks submitted
 *   at once on the same engine.
 * @module
 */
import { join } from 'node:path';
import { createEngine } from '../dist/index.js';
import { spentUs } from './agents/timed.js';
import { median, nowMs, ROOT, round, silent, tempDir, tick } from './lib.js';

/** Steps in the chain workflow. */
export const CHAIN_STEPS = 10;
/** `maxParallel` of the forEach step: the schema's maximum, so that the store and the engine are the limit. */
export const FOR_EACH_PARALLEL = 1000;

/** One in-process agent that times itself, with no limit that could queue. */
function agentConfig() {
  return {
    agents: {
      echo: {
        adapter: { type: 'module', path: join(ROOT, 'bench/agents/timed.js') },
        maxConcurrency: 1_000_000,
        maxQueue: 1_000_000,
        timeoutMs: 600_000,
      },
    },
    store: 'memory:',
  };
}

const DEADLINE_MS = 3_600_000;

/** The workflows: the single task, the chain and the forEach run. */
export const RUN_WORKFLOWS = [
  { name: 'echo', agent: 'echo', deadlineMs: DEADLINE_MS },
  {
    name: 'chain',
    deadlineMs: DEADLINE_MS,
    steps: Object.fromEntries(
      Array.from({ length: CHAIN_STEPS }, (_, i) => [`s${i}`, { agent: 'echo', ...(i > 0 ? { needs: [`s${i - 1}`] } : {}) }]),
    ),
  },
  {
    name: 'fan',
    deadlineMs: DEADLINE_MS,
    steps: { each: { agent: 'echo', forEach: 'input.items', maxParallel: FOR_EACH_PARALLEL, input: "{ 'n': item }" } },
  },
];

/**
 * An engine on `store` with the bench's workflows, and a way to wait for a task's end.
 * @param {'memory' | 'sqlite'} store
 */
async function openEngine(store) {
  const tmp = store === 'sqlite' ? await tempDir('warden-bench-runs-') : undefined;
  const engine = await createEngine({
    config: agentConfig(),
    workflows: RUN_WORKFLOWS,
    store: tmp ? `sqlite:${join(tmp.dir, 'bench.db')}` : 'memory:',
    logger: silent,
  });
  // A task may end before `submit` has returned its id (the memory store commits in microtasks),
  // so ends are kept until their waiter comes.
  /** @type {Map<string, string>} */
  const ends = new Map();
  /** @type {Map<string, (status: string) => void>} */
  const waiting = new Map();
  engine.on('taskEnded', (task) => {
    const resolve = waiting.get(task.id);
    if (resolve) resolve(task.status);
    else if (task.parentId === undefined) ends.set(task.id, task.status);
  });
  return {
    engine,
    /**
     * Submits and resolves with the task's final status when it ends.
     * @param {string} workflow @param {unknown} input
     * @returns {Promise<string>}
     */
    async run(workflow, input) {
      const { id } = await engine.submit(workflow, input);
      const status = ends.get(id);
      if (status !== undefined) {
        ends.delete(id);
        return status;
      }
      const ended = await new Promise((r) => waiting.set(id, /** @type {(s: string) => void} */ (r)));
      waiting.delete(id);
      return /** @type {string} */ (ended);
    },
    async close() {
      await engine.stop({ drainTimeoutMs: 0 });
      await tmp?.remove();
    },
  };
}

/** The agent's own time in µs since the `before`-th call it recorded. */
const agentUsSince = (/** @type {number} */ before) => spentUs.slice(before).reduce((a, b) => a + b, 0);

/**
 * The engine's own time of one submit → end, minus what the agent spent: wall and CPU ms.
 * @param {Awaited<ReturnType<typeof openEngine>>} e @param {string} workflow
 */
async function ownMs(e, workflow) {
  const before = spentUs.length;
  const c0 = process.cpuUsage();
  const t0 = nowMs();
  const status = await e.run(workflow, {});
  const wall = nowMs() - t0;
  const c = process.cpuUsage(c0);
  if (status !== 'completed') throw new Error(`bench: a ${workflow} task ended ${status}`);
  const agentMs = agentUsSince(before) / 1000;
  return { wall: wall - agentMs, cpu: (c.user + c.system) / 1000 - agentMs };
}

/**
 * Chain overhead on one store: `n` chain runs and `n` single tasks, interleaved, after a warm-up.
 * Each figure is the total of the engine's own time over the steps (or tasks) run, in ms: on a
 * loaded machine the process is descheduled now and then, and a median of short samples would
 * miss what a median of long ones catches, where a total counts both alike.
 * @param {number} n @param {'memory' | 'sqlite'} store
 */
export async function runChainOverhead(n, store) {
  const e = await openEngine(store);
  try {
    const warmup = Math.max(2, Math.ceil(n / 5));
    const chain = { wall: 0, cpu: 0 };
    const single = { wall: 0, cpu: 0 };
    for (let i = 0; i < warmup + n; i++) {
      const c = await ownMs(e, 'chain');
      const t = await ownMs(e, 'echo');
      if (i < warmup) continue;
      chain.wall += c.wall;
      chain.cpu += c.cpu;
      single.wall += t.wall;
      single.cpu += t.cpu;
    }
    return {
      msPerStep: chain.wall / (n * CHAIN_STEPS),
      msPerTask: single.wall / n,
      cpuMsPerStep: chain.cpu / (n * CHAIN_STEPS),
      cpuMsPerTask: single.cpu / n,
    };
  } finally {
    await e.close();
  }
}

/**
 * forEach throughput on SQLite: one run of `items` children, and `items` single tasks submitted
 * at once, on the same engine, back to back (`tasksFirst` swaps the order, so neither always
 * meets the fuller database); wall times in ms.
 * @param {number} items @param {boolean} tasksFirst
 */
export async function runForEach(items, tasksFirst) {
  const e = await openEngine('sqlite');
  try {
    const fan = async () => {
      const t0 = nowMs();
      const status = await e.run('fan', { items: Array.from({ length: items }, (_, i) => i) });
      if (status !== 'completed') throw new Error(`bench: the forEach run ended ${status}`);
      return nowMs() - t0;
    };
    const singles = async () => {
      const t0 = nowMs();
      const statuses = await Promise.all(Array.from({ length: items }, (_, i) => e.run('echo', { n: i })));
      if (statuses.some((s) => s !== 'completed')) throw new Error('bench: a single task did not complete');
      return nowMs() - t0;
    };
    const tasksMs = tasksFirst ? await singles() : 0;
    await tick();
    const runMs = await fan();
    await tick();
    return { runMs, tasksMs: tasksFirst ? tasksMs : await singles() };
  } finally {
    await e.close();
  }
}

/**
 * The `runs` section: the chain on the memory store (the headline: it measures the engine) and
 * on SQLite, and the forEach on SQLite, each `rounds` times on a fresh engine. Figures are the
 * medians over the rounds; ratios are taken per round (both sides measured on one engine), then
 * the median of those.
 * @param {{ chainRuns: number; chainRunsSqlite: number; forEachItems: number; rounds: number }} sizes
 */
export async function runRuns({ chainRuns, chainRunsSqlite, forEachItems, rounds }) {
  const chain = async (/** @type {number} */ n, /** @type {'memory' | 'sqlite'} */ store) => {
    const samples = [];
    for (let r = 0; r < rounds; r++) samples.push(await runChainOverhead(n, store));
    const med = (/** @type {(s: (typeof samples)[number]) => number} */ f) => median(samples.map(f));
    return {
      runs: n,
      msPerStep: round(
        med((s) => s.msPerStep),
        3,
      ),
      msPerTask: round(
        med((s) => s.msPerTask),
        3,
      ),
      stepToTaskRatio: round(med((s) => s.msPerStep / s.msPerTask)),
      cpuMsPerStep: round(
        med((s) => s.cpuMsPerStep),
        3,
      ),
      cpuMsPerTask: round(
        med((s) => s.cpuMsPerTask),
        3,
      ),
      cpuStepToTaskRatio: round(med((s) => s.cpuMsPerStep / s.cpuMsPerTask)),
      ratios: samples.map((s) => round(s.msPerStep / s.msPerTask)),
    };
  };
  const memory = await chain(chainRuns, 'memory');
  const sqlite = await chain(chainRunsSqlite, 'sqlite');
  const fan = [];
  for (let r = 0; r < rounds; r++) fan.push(await runForEach(forEachItems, r % 2 === 1));
  const perSec = (/** @type {number} */ ms) => round((forEachItems / ms) * 1000, 0);
  return {
    chain: { steps: CHAIN_STEPS, rounds, memory, sqlite },
    forEach: {
      items: forEachItems,
      maxParallel: FOR_EACH_PARALLEL,
      store: 'sqlite',
      rounds,
      stepsPerSec: perSec(median(fan.map((f) => f.runMs))),
      singleTasksPerSec: perSec(median(fan.map((f) => f.tasksMs))),
      // A round's run and tasks ran back to back on one engine: the ratio of their rates, per round.
      throughputRatio: round(median(fan.map((f) => f.tasksMs / f.runMs)), 3),
      runsMs: fan.map((f) => round(f.runMs, 0)),
      tasksMs: fan.map((f) => round(f.tasksMs, 0)),
    },
  };
}
