import { runRecovery } from '../recovery.js';
console.log(await runRecovery(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 2)));
