#!/usr/bin/env node
/**
 * Warden's benchmark. Prints a table; with --json, one JSON object as the last line of stdout.
 *
 *   npm run build && npm run bench [-- --json] [-- --quick] [-- --only runs,postgres]
 *
 * --quick: reduced sizes and one run of each, for CI (test/bench-smoke.test.ts).
 * --only: the named sections alone (comma-separated, or repeated), out of {@link SECTIONS}.
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
const { runRuns } = await import('./runs.js');
const { printTable } = await import('./table.js');

/** The sections, in the order they run. */
const SECTIONS = ['throughput', 'overhead', 'scenarios', 'memory', 'recovery', 'postgres', 'runs'];

const { values: opts } = parseArgs({
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string', multiple: true },
  },
});
const quick = !!opts.quick;
const only = new Set(
  (opts.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean),
);
const unknown = [...only].filter((o) => !SECTIONS.includes(o));
if (unknown.length) {
  console.error(`bench: unknown section(s) ${unknown.join(', ')}; --only takes ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const wanted = (/** @type {string} */ section) => only.size === 0 || only.has(section);
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
      chainRuns: 30,
      chainRunsSqlite: 3,
      forEachItems: 100,
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
      chainRuns: 200,
      chainRunsSqlite: 30,
      forEachItems: 1000,
    };
const seed = Number(opts.seed);
const log = (/** @type {string} */ msg) => process.stderr.write(`bench: ${msg}\n`);
const loadStart = os.loadavg();

/** The issues' targets: figure → [section, comparison, bound]. */
const TARGETS = {
  'throughput.memory.timeRatioVsBareXstate': ['throughput', '≤', 1.3],
  'throughput.sqlite.tasksPerSec': ['throughput', '≥', 20_000],
  'overheadUs.p99': ['overhead', '≤', 1000],
  'memory.bytesPerInFlightTask': ['memory', '≤', 6144],
  'memory.bytesPerParkedTask': ['memory', '≤', 512],
  'memory.eventLoopDelayP99Ms': ['memory', '≤', 50],
  'scenarios.outage.warden.callsToDeadAgent': ['scenarios', '≤', '1.5 × floor and ≤ cockatiel'],
  'scenarios.outage.warden.successRate': ['scenarios', '≥', 'cockatiel'],
  'scenarios.rateLimit.warden.retryAfterHonoured': ['scenarios', '=', 1],
  'scenarios.rateLimit.warden.totalCalls': ['scenarios', '≤', '0.5 × naiveRetry'],
  'recovery.resumeMs': ['recovery', '≤', 2000],
  'runs.chain.memory.stepToTaskRatio': ['runs', '≤', 1.5],
  'runs.forEach.throughputRatio': ['runs', '≥', 0.5],
};

/** Each section's figures, under its key, in the order of the JSON. */
const result = /** @type {Record<string, any>} */ ({});

// ---- throughput ----
if (wanted('throughput')) {
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
  result.throughput = throughput;
}

// ---- overhead ----
if (wanted('overhead')) {
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
  result.overheadUs = overheadUs;
}

// ---- scenarios ----
if (wanted('scenarios')) {
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
  result.scenarios = scenarios;
  result.configurations = CONFIGURATIONS;
}

// ---- memory (its own process, for a clean heap and --expose-gc) ----
if (wanted('memory')) {
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
  result.memory = memory;
}

// ---- recovery ----
if (wanted('recovery')) {
  log(`recovery: ${SIZES.recovery} tasks in flight, kill -9 and restart × ${SIZES.recoveryRuns}`);
  const rec = await runRecovery(SIZES.recovery, SIZES.recoveryRuns);
  const recovery = {
    tasks: rec.tasks,
    resumeMs: round(rec.resumeMs, 0),
    runsMs: rec.runsMs.map((x) => round(x, 0)),
    listeningMs: round(rec.listeningMs, 0),
    runs: SIZES.recoveryRuns,
  };
  result.recovery = recovery;
}

// ---- postgres ----
if (wanted('postgres')) {
  log(
    `postgres: ${SIZES.postgresTasks} tasks through 1, 2 and 4 workers${process.env.DATABASE_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`,
  );
  result.postgres = await runPostgres([1, 2, 4], SIZES.postgresTasks, SIZES.postgresRuns);
}

// ---- runs (multi-step workflows) ----
if (wanted('runs')) {
  log(
    `runs: a 10-step chain × ${SIZES.chainRuns} (memory store) and × ${SIZES.chainRunsSqlite} (sqlite) against single tasks; a ${SIZES.forEachItems}-item forEach (sqlite) against ${SIZES.forEachItems} single tasks; ${SIZES.runs} round(s)`,
  );
  result.runs = await runRuns({ ...SIZES, rounds: SIZES.runs });
}

const args = process.argv.slice(2);
Object.assign(result, {
  targets: Object.fromEntries(
    Object.entries(TARGETS)
      .filter(([, [section]]) => wanted(String(section)))
      .map(([k, [, op, v]]) => [k, `${op} ${v}`]),
  ),
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
  ...(only.size ? { only: SECTIONS.filter(wanted) } : {}),
  command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
});

printTable(result);
if (opts.json) console.log(JSON.stringify(result));
