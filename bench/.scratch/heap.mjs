import { createActor } from 'xstate';
import { taskMachine, persistedSnapshot } from '../../dist/lifecycle/taskMachine.js';
const N = 20000;
const g = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); } return process.memoryUsage().heapUsed; };
async function measure(name, make) {
  const keep = []; const h0 = await g();
  for (let i = 0; i < N; i++) keep.push(make(i));
  const h1 = await g(); console.log(name.padEnd(30), Math.round((h1 - h0) / N), 'bytes'); return keep;
}
await measure('actor (attempting)', (i) => { const a = createActor(taskMachine, { input: { taskId: 'task-' + i, workflow: 'w', plan: ['a'], maxAttempts: [3], deadlineAt: 1e12, hasDegraded: false } }); a.start(); a.send({ type: 'START' }); a.send({ type: 'ROUTED', agent: 'a', index: 0, skipped: [] }); return a; });
await measure('AbortController', () => new AbortController());
await measure('AbortController+listener', () => { const c = new AbortController(); c.signal.addEventListener('abort', () => {}, { once: true }); return c; });
await measure('setTimeout', () => setTimeout(() => {}, 3_600_000));
await measure('promise pending+then', () => { const p = new Promise(() => {}); return p.then(() => 1); });
await measure('record JSON-like', (i) => JSON.parse(JSON.stringify({ id: 'aaaaaaaa-bbbb-cccc-dddd-' + i, workflow: 'held', status: 'running', state: 'attempting', input: { n: i }, attempts: [{ agent: 'held', attempt: 1, startedAt: new Date().toISOString(), outcome: 'running' }], escalationIds: [], plan: ['held'], deadlineAt: new Date().toISOString(), createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), inputHash: 'x'.repeat(64), seq: 3 })));
process.exit(0);
