import { runWardenScenario, runOtherScenario, outageFloor } from '../contenders.js';
const tasks = Number(process.argv[2] ?? 300);
for (const s of ['outage', 'rate-limit', 'flaky']) {
  const t0 = performance.now();
  const w = await runWardenScenario(s, 1, tasks);
  const t1 = performance.now();
  const c = await runOtherScenario('cockatiel', s, 1, tasks);
  const t2 = performance.now();
  const n = await runOtherScenario('naiveRetry', s, 1, tasks);
  const t3 = performance.now();
  console.log(s, { floor: outageFloor(), ms: [t1 - t0, t2 - t1, t3 - t2].map(Math.round) });
  console.log(' warden', JSON.stringify(w)); console.log(' cockatiel', JSON.stringify(c)); console.log(' naive', JSON.stringify(n));
}
