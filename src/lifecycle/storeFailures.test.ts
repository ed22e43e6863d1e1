import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { driveUntil, settle } from '../../test/helpers/driveClock.js';
import { SimulatedClock } from '../clock/index.js';
import { wardenError } from '../errors/index.js';
import { SqliteStore } from '../store/SqliteStore.js';
import type { Store } from '../store/Store.js';
import { createEngine } from './createEngine.js';
import type { Engine } from './Engine.js';
import { silentLogger } from './logger.js';
import { TERMINAL_STATUSES } from './types.js';

// A real SQLite store whose next writes or timer reads fail, as on a full disk or a locked file.
class FailingStore extends SqliteStore {
  failCommits = 0;
  failSweeps = 0;
  override commit(...args: Parameters<Store['commit']>) {
    if (this.failCommits > 0) {
      this.failCommits--;
      return Promise.reject(wardenError('STORE_ERROR', 'database or disk is full (SQLITE_FULL)'));
    }
    return super.commit(...args);
  }
  override dueTimers(...args: Parameters<Store['dueTimers']>) {
    if (this.failSweeps > 0) {
      this.failSweeps--;
      return Promise.reject(wardenError('STORE_ERROR', 'database is locked (SQLITE_BUSY)'));
    }
    return super.dueTimers(...args);
  }
}

const AGENT = { type: 'module', path: './test/fixtures/agents/lifecycle-agent.js' } as const;
const config = {
  agents: {
    a: {
      adapter: AGENT,
      retry: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 1000, jitter: 'none' },
      circuitBreaker: { failureThreshold: 1000 },
    },
  },
  store: 'memory:',
};
const workflows = [{ name: 'review', agent: 'a' }];

let dir: string;
let engine: Engine;
let store: FailingStore;
let clock: SimulatedClock;

beforeAll(async () => {
  await import('../../test/fixtures/agents/lifecycle-agent.js');
});

afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

async function start() {
  dir = await mkdtemp(join(tmpdir(), 'warden-failing-'));
  clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00.000Z'));
  store = new FailingStore(join(dir, 'w.db'));
  engine = await createEngine({
    config,
    workflows,
    store,
    clock,
    logger: silentLogger,
    mode: 'local',
    supervisor: false,
    random: () => 0.5,
  });
}

describe('a store that fails for a while', () => {
  it('wedges no task: every step is tried again, every task ends exactly once, and reads never show an unsaved state', async () => {
    await start();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await engine.submit('review', { script: { a: ['transient', 'ok'] } })).id);
    store.failCommits = 15;
    const mismatches: string[] = [];
    await driveUntil(clock, async () => {
      for (const id of ids) {
        const [live, saved] = [await engine.get(id), await store.getTask(id)];
        if (live!.state !== saved!.state) mismatches.push(`${id}: ${live!.state} shown, ${saved!.state} saved`);
      }
      return (await Promise.all(ids.map((id) => engine.get(id)))).every((t) => TERMINAL_STATUSES.has(t!.status));
    }, [engine]);
    expect(store.failCommits).toBe(0);
    expect(mismatches).toEqual([]);
    for (const id of ids) {
      const transitions = await store.transitions(id);
      expect(transitions.map((t) => t.seq)).toEqual(transitions.map((_, i) => i + 1));
      expect(transitions.filter((t) => t.to === 'completed')).toHaveLength(1);
    }
    expect(engine.internalErrors.get('step')).toBe(15);
  });

  it('sweeps the timers again by itself after a failed sweep, so waiting tasks still wake', async () => {
    await start();
    const { id } = await engine.submit('review', { script: { a: ['transient', 'ok'] } });
    await settle([engine]);
    expect((await engine.get(id))!.status).toBe('waiting');
    store.failSweeps = 3;
    await driveUntil(clock, async () => (await engine.get(id))!.status === 'completed', [engine]);
    expect(store.failSweeps).toBe(0);
    expect(engine.internalErrors.get('scheduler')).toBe(3);
  });
});
