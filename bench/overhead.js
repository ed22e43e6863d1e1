/**
 * Warden's own time per task: tasks run one at a time against a trivial agent that times itself,
 * and each task's latency (submit → taskEnded) minus the agent's own time is Warden's.
 * @module
 */
import { join } from 'node:path';
import { createEngine } from '../dist/index.js';
import { spentUs } from './agents/timed.js';
import { ECHO_WORKFLOWS } from './throughput.js';
import { nowMs, quantile, ROOT, silent, tempDir } from './lib.js';

/**
 * @param {number} n tasks measured (after a warm-up of n / 5)
 * @param {'memory' | 'sqlite'} store
 * @returns {Promise<{ p50: number; p99: number; cpuP50: number; cpuP99: number; samples: number[] }>}
 */
export async function runOverhead(n, store) {
  const tmp = store === 'sqlite' ? await tempDir('warden-overhead-') : undefined;
  const engine = await createEngine({
    config: {
      agents: { echo: { adapter: { type: 'module', path: join(ROOT, 'bench/agents/timed.js') }, timeoutMs: 60_000 } },
      store: 'memory:',
    },
    workflows: ECHO_WORKFLOWS,
    store: tmp ? `sqlite:${join(tmp.dir, 'bench.db')}` : 'memory:',
    logger: silent,
  });
  try {
    /** @type {(() => void) | undefined} */
    let onEnd;
    engine.on('taskEnded', () => onEnd?.());
    const samples = [];
    const cpu = [];
    const warmup = Math.ceil(n / 5);
    for (let i = 0; i < warmup + n; i++) {
      const ended = new Promise((r) => (onEnd = /** @type {() => void} */ (r)));
      const before = spentUs.length;
      const c0 = process.cpuUsage();
      const t0 = nowMs();
      await engine.submit('echo', { n: i });
      await ended;
      const agentUs = spentUs.slice(before).reduce((a, b) => a + b, 0);
      const us = (nowMs() - t0) * 1000 - agentUs;
      const c = process.cpuUsage(c0);
      if (i >= warmup) {
        samples.push(us);
        cpu.push(c.user + c.system - agentUs);
      }
    }
    return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), cpuP50: quantile(cpu, 0.5), cpuP99: quantile(cpu, 0.99), samples };
  } finally {
    await engine.stop({ drainTimeoutMs: 0 });
    await tmp?.remove();
  }
}
