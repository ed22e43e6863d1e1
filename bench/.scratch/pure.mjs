import { createActor, transition, initialTransition } from 'xstate';
import { taskMachine } from '../../dist/lifecycle/taskMachine.js';
const N = 20000;
const input = (i) => ({ taskId: 'task-' + i, workflow: 'w', plan: ['a'], maxAttempts: [3], deadlineAt: 1e12, hasDegraded: false });
const evs = [{ type: 'START' }, { type: 'ROUTED', agent: 'a', index: 0, skipped: [] }, { type: 'ATTEMPT_OK', output: { ok: 1 } }, { type: 'OUTPUT_VALID' }];
for (let r = 0; r < 3; r++) {
let t = performance.now();
for (let i = 0; i < N; i++) { const a = createActor(taskMachine, { input: input(i) }); a.start(); for (const e of evs) { a.getSnapshot(); a.send(e); a.getSnapshot(); } a.stop(); }
const actorUs = (performance.now() - t) * 1000 / N;
t = performance.now();
for (let i = 0; i < N; i++) { let [s] = initialTransition(taskMachine, input(i)); for (const e of evs) { [s] = transition(taskMachine, s, e); } }
const pureUs = (performance.now() - t) * 1000 / N;
console.log('per task: actor', actorUs.toFixed(1), 'µs  pure', pureUs.toFixed(1), 'µs');
}
const g = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); } return process.memoryUsage().heapUsed; };
const keep = []; const h0 = await g();
for (let i = 0; i < N; i++) { let [s] = initialTransition(taskMachine, input(i)); [s] = transition(taskMachine, s, evs[0]); [s] = transition(taskMachine, s, evs[1]); keep.push(s); }
console.log('pure snapshot bytes', Math.round((await g() - h0) / N));
const [s0] = initialTransition(taskMachine, input(1)); const [s1] = transition(taskMachine, s0, evs[0]); const [s2, acts] = transition(taskMachine, s1, { type: 'ATTEMPT_FAILED', error: { code: 'X', retryable: true }, at: 0, delayMs: 1 });
console.log(s1.value, s2.value, acts.length, s2 === s1);
const [s3] = transition(taskMachine, s1, { type: 'WAKE' }); console.log('ignored event same?', s3 === s1, s3.value);
const restored = taskMachine.resolveState({ value: 'waiting', context: s2.context }); console.log(restored.value, restored.status);
process.exit(0);
