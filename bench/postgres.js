/**
 * Distributed throughput: N `warden worker` processes on one Postgres, for N = 1, 2, 4.
 * Needs DATABASE_URL (a database the bench may create schemas in); without it the section says
 * it was skipped and why.
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT, median, round, silent, tempDir } from './lib.js';

const { createEngine } = await import('../dist/index.js');

/**
 * @param {readonly number[]} workerCounts
 * @param {number} tasks
 * @param {number} runs
 */
export async function runPostgres(workerCounts, tasks, runs) {
  const url = process.env.DATABASE_URL;
  if (!url) return { skipped: 'DATABASE_URL is not set; see docs/benchmarks.md for how to give the bench a Postgres', workers: [] };
  const dir = await tempDir('warden-bench-pg-');
  await mkdir(join(dir.dir, 'workflows'));
  // A trivial in-process agent, so the figure is Warden's and Postgres's cost, not the agent's.
  await writeFile(
    join(dir.dir, 'agents.config.json'),
    JSON.stringify({
      agents: {
        fast: { adapter: { type: 'simulated', latencyMs: 0 }, maxConcurrency: 1000, circuitBreaker: { failureThreshold: 1_000_000 } },
      },
      supervisor: { enabled: false },
    }),
  );
  await writeFile(join(dir.dir, 'workflows', 'job.json'), JSON.stringify({ name: 'job', agent: 'fast' }));
  const rows = [];
  try {
    for (const n of workerCounts) {
      const samples = [];
      for (let r = 0; r < runs; r++) samples.push(await once(url, dir.dir, n, tasks));
      rows.push({ workers: n, tasksPerSec: round(median(samples), 0), runs: samples.map((x) => round(x, 0)) });
    }
  } finally {
    await dir.remove();
  }
  const base = rows[0]?.tasksPerSec || 1;
  return { tasks, workers: rows.map((row) => ({ ...row, speedupVs1: round(row.tasksPerSec / base, 2) })) };
}

/** One measurement: fresh schema, N workers, `tasks` submitted at once; tasks per second until all end. */
async function once(url, dir, n, tasks) {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const storeUrl = new URL(url);
  storeUrl.searchParams.set('schema', schema);
  const config = join(dir, 'agents.config.json');
  // The submitting node runs no tasks: every task is a worker's.
  const engine = await createEngine({ configPath: config, store: storeUrl.toString(), worker: false, supervisor: false, logger: silent });
  const workers = [];
  try {
    for (let i = 0; i < n; i++) workers.push(await startWorker(config, storeUrl.toString()));
    let ended = 0;
    const allEnded = new Promise((resolve) =>
      engine.on('taskEnded', () => {
        if (++ended === tasks) resolve(undefined);
      }),
    );
    const t0 = performance.now();
    for (let i = 0; i < tasks; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, tasks - i) }, (_, j) => engine.submit('job', { n: i + j })));
    }
    await allEnded;
    return tasks / ((performance.now() - t0) / 1000);
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await engine.stop({ drainTimeoutMs: 0 });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_boss CASCADE`);
    await c.end();
  }
}

/** @param {string} config @param {string} store */
function startWorker(config, store) {
  const proc = spawn(
    process.execPath,
    [join(ROOT, 'bin/warden.js'), 'worker', '--config', config, '--store', store, '--concurrency', '100'],
    {
      cwd: ROOT,
      env: { ...process.env, WARDEN_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('worker ready')) resolve(proc);
    });
    proc.stderr.on('data', (d) => (out += d));
    proc.on('exit', (code) => reject(new Error(`worker exited (${code}) before ready: ${out}`)));
  });
}
