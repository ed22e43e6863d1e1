import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import { attachMetrics } from '../src/metrics/Metrics.js';
import { SqliteStore } from '../src/store/SqliteStore.js';
import { makeTaskRecord, submitted } from '../src/store/storeFixtures.js';
import { type TempConfig, writeTempConfig } from './helpers/tempConfig.js';
import { runCli } from './helpers/warden.js';

// Retention (CONTRACT.md section 9): the background purge of an engine, its metrics, and
// `warden prune`. The store-level rules are in src/store/pruneStoreContract.ts.

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const engines: Engine[] = [];
let cfg: TempConfig | undefined;

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ drainTimeoutMs: 0 });
  await cfg?.remove();
  cfg = undefined;
});

async function engineWithEndedTasks(clock: SimulatedClock, opts: { retention?: false } = {}) {
  const engine = await createEngine({
    config: { agents: { a: { adapter: { type: 'simulated', latencyMs: [0, 0], failureRate: 0 } } }, retention: { completed: '7d' } },
    workflows: [{ name: 'job', agent: 'a' }],
    store: 'memory:',
    clock,
    logger: silentLogger,
    supervisor: false,
    mode: 'local',
    ...opts,
  });
  engines.push(engine);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await engine.submit('job', { i })).id);
  for (const id of ids) expect((await engine.result(id)).status).toBe('completed');
  return { engine, ids };
}

describe('retention in an engine', () => {
  it('purges ended tasks once they are older than their retention, in the background on the engine clock, and counts them in /metrics', async () => {
    const clock = new SimulatedClock(T0);
    const { engine, ids } = await engineWithEndedTasks(clock);
    const metrics = attachMetrics(engine, { defaultMetrics: false });
    clock.advance(6 * DAY);
    await engine.retention.run({ dryRun: true }); // waits for the background pass, if one runs
    for (const id of ids) expect(await engine.get(id)).toBeDefined();
    clock.advance(2 * DAY);
    await engine.retention.run({ dryRun: true });
    for (const id of ids) expect(await engine.get(id)).toBeUndefined();
    const text = await metrics.text();
    expect(text).toContain('warden_pruned_total{kind="tasks"} 3');
    expect(text).toMatch(/warden_pruned_total\{kind="transitions"\} [1-9]\d*/);
    expect(text).toContain('warden_pruned_total{kind="escalations"} 0');
    metrics.close();
  });

  it('does not purge in the background with createEngine({ retention: false })', async () => {
    const clock = new SimulatedClock(T0);
    const { engine, ids } = await engineWithEndedTasks(clock, { retention: false });
    clock.advance(30 * DAY);
    expect((await engine.retention.run({ dryRun: true })).tasks).toBe(3);
    for (const id of ids) expect(await engine.get(id)).toBeDefined();
  });
});

describe('warden prune', () => {
  /** A project whose SQLite store holds tasks that completed `daysAgo` days ago (real time: the CLI runs on the system clock). */
  async function projectWith(daysAgo: Record<string, number>) {
    cfg = await writeTempConfig({ agents: { a: { adapter: { type: 'simulated' } } }, store: 'sqlite:./w.db' }, [
      { name: 'job', agent: 'a' },
    ]);
    const store = new SqliteStore(join(cfg.dir, 'w.db'));
    await store.init();
    for (const [id, days] of Object.entries(daysAgo)) {
      const at = new Date(Date.now() - days * DAY).toISOString();
      await store.createTask(makeTaskRecord({ id, status: 'completed', state: 'completed', createdAt: at, updatedAt: at }), submitted());
    }
    await store.close();
    return cfg;
  }

  const remaining = async (dir: string) => {
    const store = new SqliteStore(join(dir, 'w.db'));
    await store.init();
    try {
      return (await store.listTasks()).map((t) => t.id).sort();
    } finally {
      await store.close();
    }
  };

  it('counts in a dry run, then deletes what the config retention lets go, printing the counts', async () => {
    const { configPath, dir } = await projectWith({ old: 10, recent: 1 });
    const dry = await runCli(['prune', '--config', configPath, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would delete 1 task(s) with 1 transition(s) and 0 attempt(s)');
    expect(dry.stdout).toContain('dry run: nothing was deleted');
    expect(await remaining(dir)).toEqual(['old', 'recent']);

    const real = await runCli(['prune', '--config', configPath]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^deleted 1 task\(s\) with 1 transition\(s\)/);
    expect(real.stdout).toMatch(/tasks: completed before \d{4}-\d\d-\d\dT.*, degraded before .*cancelled before/);
    expect(await remaining(dir)).toEqual(['recent']);
  });

  it('lets --older-than stand for every retention period, and reports JSON with --json', async () => {
    const { configPath, dir } = await projectWith({ old: 10, recent: 1 });
    const r = await runCli(['prune', '--config', configPath, '--older-than', '12h', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tasks: 2, transitions: 2, dryRun: false, interrupted: false });
    expect(await remaining(dir)).toEqual([]);
  });

  it('refuses an --older-than that is not a positive duration', async () => {
    const { configPath } = await projectWith({});
    for (const bad of ['0', 'soon']) {
      const r = await runCli(['prune', '--config', configPath, '--older-than', bad]);
      expect(r.code, bad).toBe(1);
      expect(r.stderr).toContain("option '--older-than <duration>' argument");
    }
  });
});
