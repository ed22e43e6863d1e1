import { join } from 'node:path';
import { createEngine } from '../../dist/index.js';
import { echoConfig, ECHO_WORKFLOWS } from '../throughput.js';
import { silent, tempDir, nowMs, tick } from '../lib.js';
const n = Number(process.argv[2] ?? 20000);
const store = process.argv[3] ?? 'sqlite';
for (let r = 0; r < 3; r++) {
const tmp = await tempDir('wb-');
const engine = await createEngine({ config: echoConfig(), workflows: ECHO_WORKFLOWS, store: store === 'sqlite' ? `sqlite:${join(tmp.dir, 'b.db')}` : 'memory:', logger: silent });
let ended = 0; let res; const done = new Promise((r) => (res = r));
engine.on('taskEnded', () => ++ended === n && res());
const c0 = process.cpuUsage(); const t0 = nowMs();
for (let i = 0; i < n; i += 1000) { const b = []; for (let j = i; j < Math.min(n, i + 1000); j++) b.push(engine.submit('echo', { n: j })); await Promise.all(b); await tick(); }
await done;
const c = process.cpuUsage(c0); const ms = nowMs() - t0;
console.log(store, 'wall tasks/s', Math.round(n / ms * 1000), 'cpu µs/task', Math.round((c.user + c.system) / n));
await engine.stop({ drainTimeoutMs: 0 }); await tmp.remove();
}
