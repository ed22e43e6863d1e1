/**
 * `npm run bench -- --quick --json` runs every section in reduced form and ends with one JSON
 * object holding every figure docs/benchmarks.md reports. No figure is held to its target here:
 * timings on a shared CI machine say nothing; the full run and the doc do.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/warden.js';

function runBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('npm', ['run', '--silent', 'bench', '--', '--quick', '--json'], { cwd: ROOT, env: process.env });
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

const at = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);

describe('the benchmark', () => {
  it('runs in quick form, prints its table, and ends with every figure as a number', async () => {
    const { code, stdout, stderr } = await runBench();
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(stdout).toMatch(/^section\s+figure\s+value\s+target$/m);
    const result = JSON.parse(lines.at(-1)!);
    const missing = NUMBERS.filter((p) => typeof at(result, p) !== 'number' || !Number.isFinite(at(result, p)));
    expect(missing).toEqual([]);
    expect(result.quick).toBe(true);
    expect(result.configurations.cockatiel).toBeDefined();
    expect(result.machine.nproc).toBeGreaterThan(0);
    // Distributed throughput for 1, 2 and 4 workers when there is a Postgres; otherwise it says why not.
    if (process.env.DATABASE_URL) {
      expect(result.postgres.workers.map((w: { workers: number }) => w.workers)).toEqual([1, 2, 4]);
      for (const w of result.postgres.workers) expect(w.tasksPerSec).toBeGreaterThan(0);
    } else expect(result.postgres.skipped).toMatch(/DATABASE_URL/);
  }, 240_000);
});
