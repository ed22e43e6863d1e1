import { join } from 'node:path';
import { createEngine } from '../../dist/index.js';
import { ROOT, silent, tempDir, tick, nowMs } from '../lib.js';
const N = Number(process.argv[2] ?? 5000);
const agent = { adapter: { type: 'module', path: join(ROOT, 'bench/agents/unavailable.js') }, maxConcurrency: 1e6, maxQueue: 1e6, timeoutMs: 3_600_000, circuitBreaker: { failureThreshold: 1e9 }, retry: { maxAttempts: 2, initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, jitter: 'none' } };
const tmp = await tempDir('park-');
const engine = await createEngine({ config: { agents: { down: agent }, store: 'memory:' }, workflows: [{ name: 'p', agent: 'down', deadlineMs: 7_200_000 }], store: process.argv[3] === 'mem' ? 'memory:' : `sqlite:${join(tmp.dir, 'b.db')}`, logger: silent });
const down = await import('../agents/unavailable.js');
const t0 = nowMs();
for (let i = 0; i < N; i += 200) { const b = []; for (let j = i; j < Math.min(N, i + 200); j++) b.push(engine.submit('p', { n: j })); await Promise.all(b); await tick(); }
while (!(down.calls >= N && engine.liveActorCount === 0)) await new Promise((r) => setTimeout(r, 5));
console.log(N, 'parked in', Math.round(nowMs() - t0), 'ms', engine.store.stats?.());
await engine.stop({ drainTimeoutMs: 0 }); await tmp.remove();
