/**
 * `npm run bench -- --quick --json` runs every section in reduced form and ends with one JSON
 * object holding every figure docs/benchmarks.md reports; `--only` runs the sections it names.
 * No figure is held to its target here: timings on a shared CI machine say nothing; the full run
 * and the doc do.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/warden.js';

function runBench(...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('npm', ['run', '--silent', 'bench', '--', '--quick', '--json', ...extra], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const NUMBERS = [
  'throughput.bareXstate.tasksPerSec',
  'throughput.memory.tasksPerSec',
  'throughput.memory.timeRatioVsBareXstate',
  'throughput.sqlite.tasksPerSec',
  'throughput.sqlite.timeRatioVsBareXstate',
  'overheadUs.p50',
  'overheadUs.p99',
  'memory.bytesPerInFlightTask',
  'memory.bytesPerParkedTask',
  'memory.eventLoopDelayP99Ms',
  'memory.inFlight',
  ...['warden', 'cockatiel', 'naiveRetry'].flatMap((c) =>
    ['successRate', 'callsToDeadAgent', 'totalCalls', 'p99LatencyMs'].map((k) => `scenarios.outage.${c}.${k}`),
  ),
  'scenarios.outage.floor.callsToDeadAgent',
  'scenarios.rateLimit.warden.successRate',
  'scenarios.rateLimit.warden.totalCalls',
  'scenarios.rateLimit.warden.retryAfterHonoured',
  'scenarios.rateLimit.naiveRetry.successRate',
  'scenarios.rateLimit.naiveRetry.totalCalls',
  'scenarios.flaky.warden.successRate',
  'scenarios.flaky.warden.degradedRate',
  'scenarios.flaky.warden.totalCalls',
  'scenarios.flaky.cockatiel.successRate',
  'scenarios.flaky.cockatiel.totalCalls',
  'scenarios.flaky.naiveRetry.successRate',
  'scenarios.flaky.naiveRetry.totalCalls',
  'recovery.tasks',
  'recovery.resumeMs',
];

/** The figures of the `runs` section (multi-step workflows). */
const RUN_NUMBERS = [
  ...['memory', 'sqlite'].flatMap((store) =>
    ['msPerStep', 'msPerTask', 'stepToTaskRatio', 'cpuMsPerStep', 'cpuMsPerTask', 'cpuStepToTaskRatio'].map(
      (k) => `runs.chain.${store}.${k}`,
    ),
  ),
  'runs.chain.steps',
  'runs.forEach.items',
  'runs.forEach.maxParallel',
  'runs.forEach.stepsPerSec',
  'runs.forEach.singleTasksPerSec',
  'runs.forEach.throughputRatio',
];

const missingNumbers = (result: unknown, paths: string[]) =>
  paths.filter((p) => typeof at(result, p) !== 'number' || !Number.isFinite(at(result, p)));

const at = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);

describe('the benchmark', () => {
  it('runs in quick form, prints its table, and ends with every figure as a number', async () => {
    const { code, stdout, stderr } = await runBench();
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(stdout).toMatch(/^section\s+figure\s+value\s+target$/m);
    const result = JSON.parse(lines.at(-1)!);
    expect(missingNumbers(result, [...NUMBERS, ...RUN_NUMBERS])).toEqual([]);
    expect(result.quick).toBe(true);
    expect(result.configurations.cockatiel).toBeDefined();
    expect(result.machine.nproc).toBeGreaterThan(0);
    // Distributed throughput for 1, 2 and 4 workers when there is a Postgres; otherwise it says why not.
    if (process.env.DATABASE_URL) {
      expect(result.postgres.workers.map((w: { workers: number }) => w.workers)).toEqual([1, 2, 4]);
      for (const w of result.postgres.workers) expect(w.tasksPerSec).toBeGreaterThan(0);
    } else expect(result.postgres.skipped).toMatch(/DATABASE_URL/);
  }, 240_000);

  it('runs only the sections that --only names, and refuses a section it does not know', async () => {
    const { code, stdout, stderr } = await runBench('--only', 'runs');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(missingNumbers(result, RUN_NUMBERS)).toEqual([]);
    expect(result.only).toEqual(['runs']);
    for (const section of ['throughput', 'overheadUs', 'memory', 'scenarios', 'recovery', 'postgres'])
      expect(result[section]).toBeUndefined();
    expect(Object.keys(result.targets).every((k) => k.startsWith('runs.'))).toBe(true);
    expect(stdout).toMatch(/^runs\s+forEach ÷ single-task throughput/m);

    const wrong = await runBench('--only', 'runs,nonsense');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/unknown section\(s\) nonsense/);
  }, 120_000);
});
