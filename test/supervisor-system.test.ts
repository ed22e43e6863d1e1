import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import { MemoryStore } from '../src/store/MemoryStore.js';
import { driveUntil } from './helpers/driveClock.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const agents = { solo: { adapter: { type: 'simulated' } } };

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  engine = undefined;
});

/** Blocks the event loop with a synchronous busy loop of `ms` real milliseconds. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe('the system checks', () => {
  it('finds a blocked event loop unhealthy, escalates it, and resolves the incident once the loop is free again', async () => {
    const clock = new SimulatedClock(T0);
    const config = {
      agents,
      supervisor: { checks: ['event-loop'], intervalMs: '1s', eventLoopDelayMs: 300, failureThreshold: 1 },
      store: 'memory:',
    };
    engine = await createEngine({ config, store: new MemoryStore(), clock, logger: silentLogger });
    const e = engine;
    const sup = e.supervisor!;
    await driveUntil(clock, () => sup.component('event-loop')!.state === 'healthy', [e, sup]);
    const healthyAt = sup.transitions('event-loop').length;

    block(600);
    await driveUntil(clock, () => sup.component('event-loop')!.state === 'escalated', [e, sup]);
    await driveUntil(clock, () => sup.component('event-loop')!.state === 'healthy', [e, sup]);
    await sup.settled();

    const after = sup.transitions('system:event-loop').slice(healthyAt);
    expect(after.map((t) => [t.from, t.to, t.event])).toEqual([
      ['healthy', 'unhealthy', 'CHECK_FAILED'],
      ['unhealthy', 'escalated', 'RECOVER'],
      ['escalated', 'healthy', 'CHECK_OK'],
    ]);
    const blocked = Number(/^event-loop delay (\d+) ms > 300 ms$/.exec(after[0]!.detail ?? '')?.[1]);
    expect(blocked).toBeGreaterThanOrEqual(550);
    expect(after[2]!.detail).toMatch(/^event-loop delay \d+ ms ≤ 300 ms$/);
    // One interval of the engine clock apart: each check is one tick of `intervalMs`.
    expect(Date.parse(after[2]!.at) - Date.parse(after[0]!.at)).toBe(1000);

    const [incident, ...more] = await e.store.listEscalations();
    expect(more).toEqual([]);
    expect(incident).toMatchObject({
      workflow: 'system:event-loop',
      finalErrorCode: 'COMPONENT_UNHEALTHY',
      severity: 'high',
      status: 'resolved',
      resolvedBy: 'supervisor',
    });
    expect(sup.healthSummary()).toEqual({
      status: 'healthy',
      components: [
        {
          name: 'system:event-loop',
          kind: 'system',
          status: 'healthy',
          state: 'healthy',
          lastCheck: expect.objectContaining({ ok: true }),
        },
      ],
    });
  });

  it('reports the store, heap and queue healthy and says so in the health summary, degraded while one is in trouble', async () => {
    const clock = new SimulatedClock(T0);
    const config = { agents, supervisor: { checks: ['store', 'heap', 'queue'], maxQueueAgeMs: '1m' }, store: 'memory:' };
    engine = await createEngine({ config, store: new MemoryStore(), clock, logger: silentLogger });
    const e = engine;
    const sup = e.supervisor!;
    await driveUntil(clock, () => sup.components().every((c) => c.state === 'healthy'), [e, sup]);
    expect(sup.components().map((c) => [c.name, c.lastCheck?.ok, c.lastCheck?.at])).toEqual([
      ['system:store', true, iso(0)],
      ['system:heap', true, iso(0)],
      ['system:queue', true, iso(0)],
    ]);
    expect(sup.component('store')!.lastCheck!.detail).toMatch(/^memory store wrote and read back a row in \d+ ms$/);
    expect(sup.component('heap')!.lastCheck!.detail).toMatch(/^heap [\d.]+ MiB of [\d.]+ MiB \([\d.]+%\) ≤ 90%$/);
    expect(sup.component('queue')!.lastCheck!.detail).toBe('0 queued task(s), oldest 0 ms ≤ 60000 ms; 0 call(s) waiting for an agent slot');
    expect(sup.healthSummary().status).toBe('healthy');
  });

  it('runs a recovery module of your own on a system component', async () => {
    const clock = new SimulatedClock(T0);
    const fix = fileURLToPath(new URL('./fixtures/supervisor/fix-heap.js', import.meta.url));
    const config = {
      agents,
      supervisor: {
        checks: ['heap'],
        heapLimitBytes: 1024,
        failureThreshold: 2,
        recovery: { heap: [{ strategy: 'module', path: fix, export: 'recover' }] },
      },
      store: 'memory:',
    };
    engine = await createEngine({ config, store: new MemoryStore(), clock, logger: silentLogger });
    const e = engine;
    const sup = e.supervisor!;
    // No heap fits in 1 KiB, so the custom fix "works" but the check keeps failing: verified false, then escalated.
    await driveUntil(clock, () => sup.component('heap')!.state === 'escalated', [e, sup]);
    // The first failed check (at 0) is one short of failureThreshold: no transition yet.
    expect(sup.transitions('heap').map((t) => [t.at, t.from, t.to, t.event, t.strategy ?? '-'])).toEqual([
      [iso(5000), 'starting', 'unhealthy', 'CHECK_FAILED', '-'],
      [iso(5000), 'unhealthy', 'recovering', 'RECOVER', 'module'],
      [iso(5000), 'recovering', 'verifying', 'RECOVERY_OK', 'module'],
      [iso(10_000), 'verifying', 'escalated', 'CHECK_FAILED', 'module'],
    ]);
    const mod = (await import(fix)) as { calls: string[] };
    expect(mod.calls).toEqual(['system:heap']);
    await sup.settled();
    const [incident] = await e.store.listEscalations();
    expect(incident!.details).toMatchObject({
      strategies: [{ strategy: 'module', ok: true, verified: false, detail: 'custom fix for system:heap' }],
    });
    expect(sup.healthSummary().status).toBe('unhealthy');
  });
});
