import { runOverhead } from '../overhead.js';
for (let r = 0; r < 2; r++) { const m = await runOverhead(3000, 'memory'); console.log('memory', Math.round(m.p50), Math.round(m.p99), 'cpu', Math.round(m.cpuP50), Math.round(m.cpuP99), 'max', Math.round(Math.max(...m.samples)), 'n>1ms', m.samples.filter((x) => x > 1000).length); }
