import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import { TERMINAL_STATUSES } from '../src/lifecycle/types.js';
import { driveUntil, settle } from './helpers/driveClock.js';
import { durableStoreUrl } from './helpers/testStore.js';

// A "crash" here is an engine that is simply abandoned: never stopped, its actors and timers
// left behind, while a second engine opens the same SQLite file, as a restarted process would.

const AGENT = { type: 'module', path: './test/fixtures/agents/lifecycle-agent.js' } as const;
const config = (retryDelay: number) => ({
  agents: {
    a: {
      adapter: AGENT,
      retry: { maxAttempts: 3, initialDelayMs: retryDelay, maxDelayMs: retryDelay, jitter: 'none' },
      circuitBreaker: { failureThreshold: 2, openMs: 60_000 },
    },
    b: { adapter: AGENT },
  },
  fallbackChains: { a: ['b'] },
});
const workflows = [{ name: 'w', agent: 'a', degraded: { response: { degraded: true } } }];

let storeUrl: string;
let cleanup: (() => Promise<void>) | undefined;
const engines: Engine[] = [];

async function open(clock: SimulatedClock, retryDelay = 10_000) {
  const engine = await createEngine({
    config: config(retryDelay),
    workflows,
    store: storeUrl,
    clock,
    random: () => 0.5,
    logger: silentLogger,
    mode: 'local',
    supervisor: false,
  });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  await import('./fixtures/agents/lifecycle-agent.js');
});

afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ drainTimeoutMs: 0 }).catch(() => {});
  await cleanup?.();
  cleanup = undefined;
});

describe('durable execution', () => {
  it('retries a task that was waiting at the crash at its original wake time, not early and not from scratch', async () => {
    ({ url: storeUrl, cleanup } = await durableStoreUrl());
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const first = await open(new SimulatedClock(t0));
    const { id } = await first.submit('w', { script: { a: ['transient', 'ok'] } });
    await settle([first]);
    expect((await first.get(id))?.status).toBe('waiting');
    const wakeAt = Date.parse((await first.transitions(id)).at(-1)!.detail!.wakeAt!);
    expect(wakeAt).toBe(t0 + 10_000);

    // The process dies; a new one starts 4 s later on the same file.
    const clock = new SimulatedClock(t0 + 4_000);
    const second = await open(clock);
    await settle([second]);
    expect((await second.get(id))?.status).toBe('waiting');
    const recovered = (await second.transitions(id)).at(-1)!;
    expect(recovered).toMatchObject({ event: 'RECOVERED', from: 'waiting', to: 'waiting' });

    clock.advanceTo(wakeAt - 1);
    await settle([second]);
    expect((await second.get(id))?.status).toBe('waiting'); // not early
    clock.advanceTo(wakeAt);
    await driveUntil(clock, async () => (await second.get(id))?.status === 'completed', [second]);
    const ts = await second.transitions(id);
    const wake = ts.find((t) => t.event === 'WAKE')!;
    expect(Date.parse(wake.at)).toBe(wakeAt);
    expect(wake.attempt).toBe(2); // the second attempt, not a fresh first one
    expect(ts.filter((t) => t.event === 'SUBMIT')).toHaveLength(1);
  });

  it('re-attempts a task that was mid-attempt with the same idempotency key, and records that it recovered', async () => {
    ({ url: storeUrl, cleanup } = await durableStoreUrl());
    const { seen } = await import('./fixtures/agents/lifecycle-agent.js');
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const first = await open(new SimulatedClock(t0));
    // The first call hangs (the crash happens during it); the second answers.
    const { id } = await first.submit('w', { script: { a: ['hang', 'ok'] } });
    await settle([first]);
    expect(seen.some((s) => s.taskId === id)).toBe(true);
    expect((await first.get(id))?.state).toBe('attempting');

    const clock = new SimulatedClock(t0 + 1_000);
    const second = await open(clock);
    await driveUntil(clock, async () => TERMINAL_STATUSES.has((await second.get(id))!.status), [second]);
    const task = (await second.get(id))!;
    expect(task.status).toBe('completed');
    const calls = seen.filter((s) => s.taskId === id);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([`${id}:a`]));
    const events = (await second.transitions(id)).map((t) => `${t.from}>${t.to}:${t.event}`);
    expect(events).toContain('attempting>attempting:RECOVERED');
    expect((await second.transitions(id)).find((t) => t.event === 'RECOVERED')).toMatchObject({ agent: 'a', attempt: 1 });
    expect(events.filter((e) => e.endsWith(':OUTPUT_VALID'))).toHaveLength(1);
  });

  it('keeps an open circuit across a restart, so the dead agent is not called again', async () => {
    ({ url: storeUrl, cleanup } = await durableStoreUrl());
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const clock1 = new SimulatedClock(t0);
    const first = await open(clock1, 1);
    const { id } = await first.submit('w', { script: { a: ['transient', 'transient', 'transient'], b: ['ok'] } });
    await driveUntil(clock1, async () => (await first.get(id))?.status === 'completed', [first]);
    expect(first.agentViews().find((a) => a.id === 'a')?.circuit.state).toBe('open');
    await first.stop({ drainTimeoutMs: 0 });

    const clock2 = new SimulatedClock(t0 + 5_000);
    const second = await open(clock2);
    expect(second.agentViews().find((a) => a.id === 'a')?.circuit.state).toBe('open');
    const { seen } = await import('./fixtures/agents/lifecycle-agent.js');
    const next = await second.submit('w', { script: { a: ['ok'], b: ['ok'] } });
    await driveUntil(clock2, async () => (await second.get(next.id))?.status === 'completed', [second]);
    expect((await second.get(next.id))?.answeredBy).toBe('b');
    expect(seen.filter((s) => s.taskId === next.id).map((s) => s.agent)).toEqual(['b']);
  });

  it('returns the original task for a repeated idempotency key after a restart', async () => {
    ({ url: storeUrl, cleanup } = await durableStoreUrl());
    const first = await open(new SimulatedClock(0));
    const a = await first.submit('w', { script: { a: ['ok'] } }, { idempotencyKey: 'order-17' });
    const second = await open(new SimulatedClock(1_000));
    const b = await second.submit('w', { script: { a: ['ok'] } }, { idempotencyKey: 'order-17' });
    expect(b).toMatchObject({ id: a.id, created: false });
    await expect(second.submit('w', { script: { a: ['permanent'] } }, { idempotencyKey: 'order-17' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
  });
});
