/**
 * Throughput: N trivial tasks through bare XState actors, through Warden with the memory store and
 * through Warden with the SQLite store (group commit). Each contender submits in batches, as
 * concurrent HTTP requests would, and the clock stops when the last task has ended.
 * @module
 */
import { join } from 'node:path';
import { assign, createActor, fromPromise, setup } from 'xstate';
import { createEngine } from '../dist/index.js';
import trivial from './agents/trivial.js';
import { nowMs, ROOT, silent, tempDir, tick } from './lib.js';

/** Tasks submitted together before the submitter yields to the event loop. */
export const BATCH = 1000;

/** The baseline: one XState actor per task, invoking the same agent function. No engine, no store. */
export const bareMachine = setup({
  actors: { call: fromPromise(({ input }) => trivial(/** @type {{ taskId: string }} */ (input))) },
}).createMachine({
  id: 'bare',
  initial: 'attempting',
  context: ({ input }) => ({ taskId: /** @type {{ taskId: string }} */ (input).taskId, output: /** @type {unknown} */ (undefined) }),
  states: {
    attempting: {
      invoke: {
        src: 'call',
        input: ({ context }) => ({ taskId: context.taskId }),
        onDone: { target: 'completed', actions: assign({ output: ({ event }) => event.output }) },
        onError: 'failed',
      },
    },
    completed: { type: 'final' },
    failed: { type: 'final' },
  },
});

/**
 * Runs `n` tasks through bare actors; resolves with the wall time in ms.
 * @param {number} n
 */
export async function runBare(n) {
  let ended = 0;
  /** @type {() => void} */
  let allDone = () => {};
  const done = new Promise((r) => (allDone = /** @type {() => void} */ (r)));
  const start = nowMs();
  for (let i = 0; i < n; i += BATCH) {
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const actor = createActor(bareMachine, { input: { taskId: `t${j}` } });
      actor.subscribe({ complete: () => ++ended === n && allDone() });
      actor.start();
    }
    await tick();
  }
  await done;
  return nowMs() - start;
}

/** The Warden config of the throughput runs: one trivial module agent, no limit that could queue. */
export function echoConfig() {
  return {
    agents: {
      echo: {
        adapter: { type: 'module', path: join(ROOT, 'bench/agents/trivial.js') },
        maxConcurrency: 1_000_000,
        maxQueue: 1_000_000,
        timeoutMs: 600_000,
      },
    },
    store: 'memory:',
  };
}
export const ECHO_WORKFLOWS = [{ name: 'echo', agent: 'echo', deadlineMs: 3_600_000 }];

/**
 * Runs `n` tasks through a Warden engine on `store`; resolves with the wall time in ms.
 * @param {number} n @param {'memory' | 'sqlite'} store
 */
export async function runWarden(n, store) {
  const tmp = store === 'sqlite' ? await tempDir('warden-bench-') : undefined;
  const engine = await createEngine({
    config: echoConfig(),
    workflows: ECHO_WORKFLOWS,
    store: tmp ? `sqlite:${join(tmp.dir, 'bench.db')}` : 'memory:',
    logger: silent,
  });
  try {
    let ended = 0;
    /** @type {() => void} */
    let allDone = () => {};
    const done = new Promise((r) => (allDone = /** @type {() => void} */ (r)));
    engine.on('taskEnded', () => ++ended === n && allDone());
    const start = nowMs();
    for (let i = 0; i < n; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + BATCH); j++) batch.push(engine.submit('echo', { n: j }));
      await Promise.all(batch);
      await tick();
    }
    await done;
    return nowMs() - start;
  } finally {
    await engine.stop({ drainTimeoutMs: 0 });
    await tmp?.remove();
  }
}
