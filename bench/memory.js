/**
 * Memory and responsiveness with many tasks in flight, in a process of its own (started with
 * --expose-gc by `bench/run.js`): heap per in-flight task, heap per parked task, and the event
 * loop's delay while they are held. Prints one JSON line.
 *
 *   node --expose-gc bench/memory.js --tasks 100000
 * @module
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine } from '../dist/index.js';
import { gc, nowMs, ROOT, silent, tempDir, tick } from './lib.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '200' },
    'steady-ms': { type: 'string', default: '3000' },
  },
});
const N = Number(values.tasks);
const BATCH = Number(values.batch);
const STEADY_MS = Number(values['steady-ms']);

const agent = (file) => ({
  adapter: { type: 'module', path: join(ROOT, 'bench/agents', file) },
  maxConcurrency: 1_000_000,
  maxQueue: 1_000_000,
  timeoutMs: 3_600_000,
  circuitBreaker: { failureThreshold: 1_000_000_000 },
  retry: { maxAttempts: 2, initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, jitter: 'none' },
});
const config = {
  agents: { held: agent('hold.js'), down: agent('unavailable.js'), echo: agent('trivial.js') },
  store: 'sqlite:./bench.db',
};
const workflows = [
  { name: 'held', agent: 'held', deadlineMs: 7_200_000 },
  { name: 'parked', agent: 'down', deadlineMs: 7_200_000 },
  { name: 'echo', agent: 'echo', deadlineMs: 7_200_000 },
];

async function heap() {
  await gc();
  return process.memoryUsage();
}

/** Submits `n` tasks in batches of BATCH, yielding to the event loop between batches. */
async function submitAll(engine, workflow, n) {
  for (let i = 0; i < n; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) batch.push(engine.submit(workflow, { n: j }));
    await Promise.all(batch);
    await tick();
  }
}

async function until(cond) {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

async function phase(workflow, settledWhen) {
  const tmp = await tempDir('warden-mem-');
  const engine = await createEngine({
    config: { ...config, store: `sqlite:${join(tmp.dir, 'bench.db')}` },
    workflows,
    logger: silent,
  });
  try {
    let ended = 0;
    engine.on('taskEnded', () => ended++);
    // Warm up: every code path runs once before the baseline is taken.
    await submitAll(engine, 'echo', 1000);
    await until(() => ended === 1000);
    const before = await heap();
    const ramp = monitorEventLoopDelay({ resolution: 1 });
    ramp.enable();
    const t0 = nowMs();
    await submitAll(engine, workflow, N);
    await until(() => settledWhen(engine));
    const rampMs = nowMs() - t0;
    ramp.disable();
    // Steady state: N held, while a trickle of new tasks (500/s) still runs through.
    const steady = monitorEventLoopDelay({ resolution: 1 });
    steady.enable();
    const end = nowMs() + STEADY_MS;
    let trickle = 0;
    while (nowMs() < end) {
      for (let k = 0; k < 5; k++) void engine.submit('echo', { n: trickle++ });
      await new Promise((r) => setTimeout(r, 10));
    }
    steady.disable();
    const after = await heap();
    return {
      bytesPerTask: (after.heapUsed - before.heapUsed) / N,
      rssBytesPerTask: (after.rss - before.rss) / N,
      rampMs,
      rampP99Ms: ramp.percentile(99) / 1e6,
      steadyP99Ms: steady.percentile(99) / 1e6,
      liveActors: engine.liveActorCount,
    };
  } finally {
    await engine.stop({ drainTimeoutMs: 0 });
    await tmp.remove();
  }
}

const held = await import('./agents/hold.js');
const down = await import('./agents/unavailable.js');
const inFlight = await phase('held', () => held.calls >= N);
const parked = await phase('parked', (engine) => down.calls >= N && engine.liveActorCount === 0);
console.log(JSON.stringify({ tasks: N, batch: BATCH, inFlight, parked }));
