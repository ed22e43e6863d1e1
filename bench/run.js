#!/usr/bin/env node
/**
 * Warden's benchmark. Prints a table; with --json, one JSON object as the last line of stdout.
 *
 *   npm run build && npm run bench [-- --json] [-- --quick]
 *
 * --quick: reduced sizes and one run of each, for CI (test/bench-smoke.test.ts).
 * Wall times are medians of several runs, and every headline figure that compares is a ratio
 * measured in the same run, because the machines this runs on are shared and noisy.
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ROOT, median, round } from './lib.js';

if (!existsSync(join(ROOT, 'dist/index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { CONFIGURATIONS, outageFloor, runOtherScenario, runWardenScenario, SPAN_MS } = await import('./contenders.js');
const { runOverhead } = await import('./overhead.js');
const { runRecovery } = await import('./recovery.js');
const { runBare, runWarden } = await import('./throughput.js');
const { runPostgres } = await import('./postgres.js');

const { values: opts } = parseArgs({
  options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, seed: { type: 'string', default: '1' } },
});
const quick = !!opts.quick;
const SIZES = quick
  ? {
      throughput: 2000,
      runs: 1,
      overhead: 500,
      overheadSqlite: 30,
      inFlight: 5000,
      scenarioTasks: 200,
      recovery: 500,
      recoveryRuns: 1,
      postgresTasks: 200,
      postgresRuns: 1,
    }
  : {
      throughput: 20000,
      runs: 5,
      overhead: 5000,
      overheadSqlite: 300,
      inFlight: 100_000,
      scenarioTasks: 1200,
      recovery: 10_000,
      recoveryRuns: 5,
      postgresTasks: 3000,
      postgresRuns: 3,
    };
const seed = Number(opts.seed);
const log = (/** @type {string} */ msg) => process.stderr.write(`bench: ${msg}\n`);
const loadStart = os.loadavg();

/** The targets: figure → [comparison, bound]. */
const TARGETS = {
  'throughput.memory.timeRatioVsBareXstate': ['≤', 1.3],
  'throughput.sqlite.tasksPerSec': ['≥', 20_000],
  'overheadUs.p99': ['≤', 1000],
  'memory.bytesPerInFlightTask': ['≤', 6144],
  'memory.bytesPerParkedTask': ['≤', 512],
  'memory.eventLoopDelayP99Ms': ['≤', 50],
  'scenarios.outage.warden.callsToDeadAgent': ['≤', '1.5 × floor and ≤ cockatiel'],
  'scenarios.outage.warden.successRate': ['≥', 'cockatiel'],
  'scenarios.rateLimit.warden.retryAfterHonoured': ['=', 1],
  'scenarios.rateLimit.warden.totalCalls': ['≤', '0.5 × naiveRetry'],
  'recovery.resumeMs': ['≤', 2000],
};

// ---- throughput ----
log(`throughput: ${SIZES.throughput} tasks × ${SIZES.runs} run(s) per contender`);
await runBare(Math.ceil(SIZES.throughput / 10));
await runWarden(Math.ceil(SIZES.throughput / 10), 'memory');
await runWarden(Math.ceil(SIZES.throughput / 10), 'sqlite');
const times = { bare: /** @type {number[]} */ ([]), memory: /** @type {number[]} */ ([]), sqlite: /** @type {number[]} */ ([]) };
for (let r = 0; r < SIZES.runs; r++) {
  times.bare.push(await runBare(SIZES.throughput));
  times.memory.push(await runWarden(SIZES.throughput, 'memory'));
  times.sqlite.push(await runWarden(SIZES.throughput, 'sqlite'));
}
const perSec = (/** @type {number[]} */ ms) => round((SIZES.throughput / median(ms)) * 1000, 0);
// Each run's contenders ran back to back, so the ratio is taken per run, then the median of those.
const ratio = (/** @type {number[]} */ ms) => round(median(ms.map((t, i) => t / times.bare[i])), 2);
const throughput = {
  tasks: SIZES.throughput,
  runs: SIZES.runs,
  bareXstate: { tasksPerSec: perSec(times.bare), medianMs: round(median(times.bare)) },
  memory: { tasksPerSec: perSec(times.memory), timeRatioVsBareXstate: ratio(times.memory), medianMs: round(median(times.memory)) },
  sqlite: { tasksPerSec: perSec(times.sqlite), timeRatioVsBareXstate: ratio(times.sqlite), medianMs: round(median(times.sqlite)) },
};

// ---- overhead ----
log(`overhead: ${SIZES.overhead} sequential tasks (memory store), ${SIZES.overheadSqlite} (sqlite)`);
const ovMem = await runOverhead(SIZES.overhead, 'memory');
const ovSql = await runOverhead(SIZES.overheadSqlite, 'sqlite');
const overheadUs = {
  p50: round(ovMem.p50, 1),
  p99: round(ovMem.p99, 1),
  cpuP50: round(ovMem.cpuP50, 1),
  cpuP99: round(ovMem.cpuP99, 1),
  tasks: SIZES.overhead,
  store: 'memory',
  sqlite: { p50: round(ovSql.p50, 1), p99: round(ovSql.p99, 1), tasks: SIZES.overheadSqlite },
};

// ---- scenarios ----
log(`scenarios: ${SIZES.scenarioTasks} tasks over ${SPAN_MS / 1000} s of simulated time, seed ${seed}`);
/** @param {Record<string, unknown>} r @param {string[]} keys */
const pick = (r, keys) =>
  Object.fromEntries(keys.map((k) => [k, typeof r[k] === 'number' ? round(/** @type {number} */ (r[k]), 4) : r[k]]));
const outcome = ['successRate', 'callsToDeadAgent', 'totalCalls', 'p99LatencyMs', 'failedRate'];
const scen = async (/** @type {'outage' | 'rate-limit' | 'flaky'} */ name) => ({
  warden: await runWardenScenario(name, seed, SIZES.scenarioTasks),
  cockatiel: await runOtherScenario('cockatiel', name, seed, SIZES.scenarioTasks),
  naiveRetry: await runOtherScenario('naiveRetry', name, seed, SIZES.scenarioTasks),
});
const outage = await scen('outage');
const rate = await scen('rate-limit');
const flaky = await scen('flaky');
const honour = (
  /** @type {{ retryAfter: { agentWideHonouredRate: number; followUps: number; honouredRate: number; callsInsideAnyRetryAfter: number } }} */ r,
) => ({
  retryAfterHonoured: round(r.retryAfter.agentWideHonouredRate, 4),
  retryAfterPerTask: { followUps: r.retryAfter.followUps, honouredRate: round(r.retryAfter.honouredRate, 4) },
  callsInsideRetryAfter: r.retryAfter.callsInsideAnyRetryAfter,
});
const scenarios = {
  seed,
  tasks: SIZES.scenarioTasks,
  spanMs: SPAN_MS,
  outage: {
    warden: { ...pick(outage.warden, [...outcome, 'degradedRate']), circuitOpened: outage.warden.circuitOpened },
    cockatiel: pick(outage.cockatiel, outcome),
    naiveRetry: pick(outage.naiveRetry, outcome),
    floor: { callsToDeadAgent: outageFloor() },
  },
  rateLimit: {
    warden: { ...pick(rate.warden, ['successRate', 'totalCalls', 'p99LatencyMs', 'degradedRate']), ...honour(rate.warden) },
    cockatiel: { ...pick(rate.cockatiel, ['successRate', 'totalCalls', 'p99LatencyMs']), ...honour(rate.cockatiel) },
    naiveRetry: { ...pick(rate.naiveRetry, ['successRate', 'totalCalls', 'p99LatencyMs']), ...honour(rate.naiveRetry) },
  },
  flaky: {
    warden: pick(flaky.warden, ['successRate', 'degradedRate', 'totalCalls', 'p99LatencyMs']),
    cockatiel: pick(flaky.cockatiel, ['successRate', 'totalCalls', 'p99LatencyMs']),
    naiveRetry: pick(flaky.naiveRetry, ['successRate', 'totalCalls', 'p99LatencyMs']),
  },
};

// ---- memory (its own process, for a clean heap and --expose-gc) ----
log(`memory: ${SIZES.inFlight} tasks in flight, then ${SIZES.inFlight} parked (sqlite store)`);
const { stdout } = await promisify(execFile)(
  process.execPath,
  ['--expose-gc', join(ROOT, 'bench/memory.js'), '--tasks', String(SIZES.inFlight), ...(quick ? ['--steady-ms', '1000'] : [])],
  {
    cwd: ROOT,
    maxBuffer: 1 << 24,
  },
);
const mem = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
const memory = {
  bytesPerInFlightTask: round(mem.inFlight.bytesPerTask, 0),
  bytesPerParkedTask: round(mem.parked.bytesPerTask, 0),
  eventLoopDelayP99Ms: round(mem.inFlight.steadyP99Ms, 2),
  inFlight: SIZES.inFlight,
  store: 'sqlite',
  rampEventLoopDelayP99Ms: round(mem.inFlight.rampP99Ms, 2),
  parkedEventLoopDelayP99Ms: round(mem.parked.steadyP99Ms, 2),
  parkedRampEventLoopDelayP99Ms: round(mem.parked.rampP99Ms, 2),
  rssBytesPerInFlightTask: round(mem.inFlight.rssBytesPerTask, 0),
  rssBytesPerParkedTask: round(mem.parked.rssBytesPerTask, 0),
  rampMs: round(mem.inFlight.rampMs, 0),
  parkRampMs: round(mem.parked.rampMs, 0),
  submitBatch: mem.batch,
};

// ---- recovery ----
log(`recovery: ${SIZES.recovery} tasks in flight, kill -9 and restart × ${SIZES.recoveryRuns}`);
const rec = await runRecovery(SIZES.recovery, SIZES.recoveryRuns);
const recovery = {
  tasks: rec.tasks,
  resumeMs: round(rec.resumeMs, 0),
  runsMs: rec.runsMs.map((x) => round(x, 0)),
  listeningMs: round(rec.listeningMs, 0),
  runs: SIZES.recoveryRuns,
};

// ---- postgres ----
log(
  `postgres: ${SIZES.postgresTasks} tasks through 1, 2 and 4 workers${process.env.DATABASE_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`,
);
const postgres = await runPostgres([1, 2, 4], SIZES.postgresTasks, SIZES.postgresRuns);

const result = {
  throughput,
  postgres,
  overheadUs,
  memory,
  scenarios,
  recovery,
  configurations: CONFIGURATIONS,
  targets: Object.fromEntries(Object.entries(TARGETS).map(([k, [op, v]]) => [k, `${op} ${v}`])),
  machine: {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadavgStart: loadStart.map((x) => round(x, 2)),
    loadavgEnd: os.loadavg().map((x) => round(x, 2)),
  },
  quick,
  command: quick ? 'npm run bench -- --quick --json' : 'npm run bench -- --json',
};

printTable(result);
if (opts.json) console.log(JSON.stringify(result));

/** @param {typeof result} r */
function printTable(r) {
  const s = r.scenarios;
  const o = s.outage;
  const rows = [
    ['throughput', 'bare XState tasks/s', r.throughput.bareXstate.tasksPerSec, ''],
    ['throughput', 'memory store tasks/s', r.throughput.memory.tasksPerSec, ''],
    [
      'throughput',
      'memory time ÷ bare XState',
      r.throughput.memory.timeRatioVsBareXstate,
      check(r.throughput.memory.timeRatioVsBareXstate <= 1.3, '≤ 1.3'),
    ],
    ['throughput', 'sqlite store tasks/s', r.throughput.sqlite.tasksPerSec, check(r.throughput.sqlite.tasksPerSec >= 20_000, '≥ 20000')],
    ['throughput', 'sqlite time ÷ bare XState', r.throughput.sqlite.timeRatioVsBareXstate, ''],
    ['overhead', 'µs per task p50 (memory)', r.overheadUs.p50, ''],
    ['overhead', 'µs per task p99 (memory)', r.overheadUs.p99, check(r.overheadUs.p99 <= 1000, '≤ 1000')],
    ['overhead', 'µs per task p50 / p99 (sqlite)', `${r.overheadUs.sqlite.p50} / ${r.overheadUs.sqlite.p99}`, ''],
    [
      'memory',
      `bytes per in-flight task (${r.memory.inFlight})`,
      r.memory.bytesPerInFlightTask,
      check(r.memory.bytesPerInFlightTask <= 6144, '≤ 6144'),
    ],
    ['memory', 'bytes per parked task', r.memory.bytesPerParkedTask, check(r.memory.bytesPerParkedTask <= 512, '≤ 512')],
    ['memory', 'event loop delay p99 ms (held)', r.memory.eventLoopDelayP99Ms, check(r.memory.eventLoopDelayP99Ms <= 50, '≤ 50')],
    ['memory', 'event loop delay p99 ms (ramp-up)', r.memory.rampEventLoopDelayP99Ms, ''],
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
    ['recovery', `ms until ${r.recovery.tasks} tasks run again`, r.recovery.resumeMs, check(r.recovery.resumeMs <= 2000, '≤ 2000')],
    ...(r.postgres.workers.length
      ? r.postgres.workers.map((w) => ['postgres', `tasks/s with ${w.workers} worker(s)`, `${w.tasksPerSec} (×${w.speedupVs1})`, ''])
      : [['postgres', 'workers', r.postgres.skipped ?? 'skipped', '']]),
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

/** @param {boolean} ok @param {string} target */
function check(ok, target) {
  return `${target} ${ok ? 'met' : 'MISSED'}`;
}
