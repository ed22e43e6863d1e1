import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock/index.js';
import { retentionSchema } from '../src/config/index.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import { Pruner } from '../src/retention/Pruner.js';
import { SqliteStore } from '../src/store/SqliteStore.js';
import { makeTaskRecord } from '../src/store/storeFixtures.js';

// Retention must never hold the event loop for more than 50 ms at a time, however much there is
// to delete. This is the one test where a timing bound is the requirement itself: the batches
// aim at 5 ms, so 50 leaves a wide margin for a busy machine.

const TASKS = 100_000;
const DAY = 86_400_000;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-retention-'));
  file = join(dir, 'w.db');
  const store = new SqliteStore(file);
  await store.init();
  await store.close();
  fill(file, TASKS);
}, 300_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Writes `n` tasks that completed ten days ago, each with three transitions and an attempt, in
 * one transaction straight into the migrated file: through the store's own writes this takes
 * minutes, and how the rows got there is not what is tested.
 */
function fill(path: string, n: number): void {
  const db = new DatabaseSync(path);
  const at = new Date(Date.now() - 10 * DAY).toISOString();
  const task = db.prepare(
    `INSERT INTO tasks (id, workflow, status, state, created_at, updated_at, idempotency_key, input_hash, seq, record)
     VALUES (?, 'review', 'completed', 'completed', ?, ?, NULL, 'h', 3, ?)`,
  );
  const transition = db.prepare('INSERT INTO transitions (task_pos, seq, at, body) VALUES (?, ?, ?, ?)');
  const attempt = db.prepare('INSERT INTO attempts (task_pos, agent, attempt, started_at, body) VALUES (?, ?, 1, ?, ?)');
  const attemptBody = JSON.stringify({ agent: 'a', attempt: 1, startedAt: at, endedAt: at, outcome: 'ok' });
  db.exec('BEGIN');
  for (let i = 0; i < n; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const record = makeTaskRecord({
      id,
      status: 'completed',
      state: 'completed',
      createdAt: at,
      updatedAt: at,
      output: { summary: 'x'.repeat(300) },
    });
    const pos = task.run(id, at, at, JSON.stringify(record)).lastInsertRowid;
    for (let seq = 1; seq <= 3; seq++)
      transition.run(pos, seq, at, JSON.stringify({ seq, at, from: 'queued', to: 'running', event: 'START' }));
    attempt.run(pos, 'a', at, attemptBody);
  }
  db.exec('COMMIT');
  db.close();
}

/**
 * The longest the event loop was held while `during` ran, in ms. Resolution 1 ms: each sample is
 * the time between two 1 ms ticks, so the longest sample is the longest block (plus that 1 ms).
 */
async function longestBlock(during: () => Promise<void>): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  try {
    await during();
  } finally {
    delay.disable();
  }
  return delay.max / 1e6;
}

/** Records, for each prune call of `store`, how long it held the event loop and the CPU time it took. */
function timeCalls(store: SqliteStore) {
  const calls: { wallMs: number; cpuMs: number; batch: number }[] = [];
  const prune = store.prune.bind(store);
  store.prune = (before, limits) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const pending = prune(before, limits);
    const used = process.cpuUsage(cpu);
    calls.push({ wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, batch: limits.batch });
    return pending;
  };
  return calls;
}

describe('retention on a big SQLite store', () => {
  it(`purges ${TASKS.toLocaleString('en')} ended tasks without holding the event loop for more than 50 ms at a time, and gives the space back`, async () => {
    const sizeBefore = (await stat(file)).size;
    const store = new SqliteStore(file);
    await store.init();
    const pruner = new Pruner({ store, clock: systemClock, retention: retentionSchema.parse({}), logger: silentLogger });
    const calls = timeCalls(store);
    const idleMs = await longestBlock(() => new Promise((r) => setTimeout(r, 1000)));
    let report: Awaited<ReturnType<Pruner['run']>> | undefined;
    const longestMs = await longestBlock(async () => {
      report = await pruner.run();
    });
    const slowest = calls.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
    // What a failure needs to be read: a machine too busy to run an idle loop on time, or a batch that ran long.
    const facts =
      `longest event-loop block ${longestMs.toFixed(1)} ms over ${report?.batches} batches; ` +
      `the slowest batch held it ${slowest.wallMs.toFixed(1)} ms (${slowest.cpuMs.toFixed(1)} ms of CPU, ${slowest.batch} tasks); ` +
      `an idle second before, on this machine: ${idleMs.toFixed(1)} ms`;
    console.log(`retention: ${facts}`);
    expect(report).toMatchObject({ tasks: TASKS, transitions: 3 * TASKS, attempts: TASKS });
    expect(await store.listTasks({ limit: 1 })).toEqual([]);
    await store.close();
    expect(longestMs, facts).toBeLessThanOrEqual(50);

    const db = new DatabaseSync(file);
    const freePages = (db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count;
    db.close();
    expect(freePages).toBe(0);
    expect((await stat(file)).size).toBeLessThan(sizeBefore / 10);
  }, 600_000);
});
