/**
 * The benchmark's table: one row per headline figure of each section that ran, with its target
 * and whether it was met.
 * @module
 */
import { round } from './lib.js';

/** @param {boolean} ok @param {string} target */
function check(ok, target) {
  return `${target} ${ok ? 'met' : 'MISSED'}`;
}

/** @typedef {[string, string, unknown, string]} Row */

/** @param {any} t the `throughput` section @returns {Row[]} */
const throughputRows = (t) => [
  ['throughput', 'bare XState tasks/s', t.bareXstate.tasksPerSec, ''],
  ['throughput', 'memory store tasks/s', t.memory.tasksPerSec, ''],
  ['throughput', 'memory time ÷ bare XState', t.memory.timeRatioVsBareXstate, check(t.memory.timeRatioVsBareXstate <= 1.3, '≤ 1.3')],
  ['throughput', 'sqlite store tasks/s', t.sqlite.tasksPerSec, check(t.sqlite.tasksPerSec >= 20_000, '≥ 20000')],
  ['throughput', 'sqlite time ÷ bare XState', t.sqlite.timeRatioVsBareXstate, ''],
];

/** @param {any} o the `overheadUs` section @returns {Row[]} */
const overheadRows = (o) => [
  ['overhead', 'µs per task p50 (memory)', o.p50, ''],
  ['overhead', 'µs per task p99 (memory)', o.p99, check(o.p99 <= 1000, '≤ 1000')],
  ['overhead', 'µs per task p50 / p99 (sqlite)', `${o.sqlite.p50} / ${o.sqlite.p99}`, ''],
];

/** @param {any} m the `memory` section @returns {Row[]} */
const memoryRows = (m) => [
  ['memory', `bytes per in-flight task (${m.inFlight})`, m.bytesPerInFlightTask, check(m.bytesPerInFlightTask <= 6144, '≤ 6144')],
  ['memory', 'bytes per parked task', m.bytesPerParkedTask, check(m.bytesPerParkedTask <= 512, '≤ 512')],
  ['memory', 'event loop delay p99 ms (held)', m.eventLoopDelayP99Ms, check(m.eventLoopDelayP99Ms <= 50, '≤ 50')],
  ['memory', 'event loop delay p99 ms (ramp-up)', m.rampEventLoopDelayP99Ms, ''],
];

/** @param {any} s the `scenarios` section @returns {Row[]} */
function scenarioRows(s) {
  const o = s.outage;
  return [
    [
      'outage',
      'calls to dead agent W / cockatiel / naive / floor',
      `${o.warden.callsToDeadAgent} / ${o.cockatiel.callsToDeadAgent} / ${o.naiveRetry.callsToDeadAgent} / ${o.floor.callsToDeadAgent}`,
      check(
        Number(o.warden.callsToDeadAgent) <= 1.5 * o.floor.callsToDeadAgent &&
          Number(o.warden.callsToDeadAgent) <= Number(o.cockatiel.callsToDeadAgent),
        '≤ 1.5×floor, ≤ cockatiel',
      ),
    ],
    [
      'outage',
      'success W / cockatiel / naive',
      `${o.warden.successRate} / ${o.cockatiel.successRate} / ${o.naiveRetry.successRate}`,
      check(Number(o.warden.successRate) >= Number(o.cockatiel.successRate), '≥ cockatiel'),
    ],
    [
      'outage',
      'p99 latency ms W / cockatiel / naive',
      `${o.warden.p99LatencyMs} / ${o.cockatiel.p99LatencyMs} / ${o.naiveRetry.p99LatencyMs}`,
      '',
    ],
    [
      'rate limit',
      'Retry-After honoured (agent-wide) W',
      s.rateLimit.warden.retryAfterHonoured,
      check(s.rateLimit.warden.retryAfterHonoured === 1, '= 1'),
    ],
    [
      'rate limit',
      'calls W / naive',
      `${s.rateLimit.warden.totalCalls} / ${s.rateLimit.naiveRetry.totalCalls}`,
      check(Number(s.rateLimit.warden.totalCalls) <= 0.5 * Number(s.rateLimit.naiveRetry.totalCalls), '≤ 0.5×naive'),
    ],
    ['rate limit', 'success W / naive', `${s.rateLimit.warden.successRate} / ${s.rateLimit.naiveRetry.successRate}`, ''],
    [
      'flaky',
      'success W / cockatiel / naive',
      `${s.flaky.warden.successRate} / ${s.flaky.cockatiel.successRate} / ${s.flaky.naiveRetry.successRate}`,
      '',
    ],
    ['flaky', 'degraded W', s.flaky.warden.degradedRate, ''],
    [
      'flaky',
      'calls W / cockatiel / naive',
      `${s.flaky.warden.totalCalls} / ${s.flaky.cockatiel.totalCalls} / ${s.flaky.naiveRetry.totalCalls}`,
      '',
    ],
  ];
}

/** @param {any} r the `recovery` section @returns {Row[]} */
const recoveryRows = (r) => [['recovery', `ms until ${r.tasks} tasks run again`, r.resumeMs, check(r.resumeMs <= 2000, '≤ 2000')]];

/** @param {any} p the `postgres` section @returns {Row[]} */
const postgresRows = (p) =>
  p.workers.length
    ? p.workers.map((/** @type {any} */ w) => [
        'postgres',
        `tasks/s with ${w.workers} worker(s)`,
        `${w.tasksPerSec} (×${w.speedupVs1})`,
        '',
      ])
    : [['postgres', 'workers', p.skipped ?? 'skipped', '']];

/** @param {any} r the `runs` section @returns {Row[]} */
function runsRows(r) {
  const { memory: m, sqlite: s } = r.chain;
  const f = r.forEach;
  return [
    ['runs', `chain ms per step / per task (memory)`, `${m.msPerStep} / ${m.msPerTask}`, ''],
    ['runs', 'chain step ÷ task (memory)', m.stepToTaskRatio, check(m.stepToTaskRatio <= 1.5, '≤ 1.5')],
    ['runs', 'chain step ÷ task, CPU time (memory)', m.cpuStepToTaskRatio, ''],
    ['runs', 'chain ms per step / per task (sqlite)', `${s.msPerStep} / ${s.msPerTask} (×${s.stepToTaskRatio})`, ''],
    ['runs', `forEach of ${f.items} steps/s / single tasks/s (sqlite)`, `${f.stepsPerSec} / ${f.singleTasksPerSec}`, ''],
    ['runs', 'forEach ÷ single-task throughput', f.throughputRatio, check(f.throughputRatio >= 0.5, '≥ 0.5')],
  ];
}

/**
 * Prints the table of the sections present in `r`, then the machine line.
 * @param {Record<string, any>} r the benchmark's result
 */
export function printTable(r) {
  /** @type {Row[]} */
  const rows = [
    ...(r.throughput ? throughputRows(r.throughput) : []),
    ...(r.overheadUs ? overheadRows(r.overheadUs) : []),
    ...(r.memory ? memoryRows(r.memory) : []),
    ...(r.scenarios ? scenarioRows(r.scenarios) : []),
    ...(r.recovery ? recoveryRows(r.recovery) : []),
    ...(r.postgres ? postgresRows(r.postgres) : []),
    ...(r.runs ? runsRows(r.runs) : []),
  ];
  const head = ['section', 'figure', 'value', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (/** @type {unknown[]} */ cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `\n${r.machine.nproc} cpu(s), ${round(r.machine.memoryBytes / 2 ** 30, 1)} GiB, node ${r.machine.node}, load ${r.machine.loadavgStart.join(' ')} → ${r.machine.loadavgEnd.join(' ')}${r.quick ? ' (quick: reduced sizes, one run)' : ''}`,
  );
}
