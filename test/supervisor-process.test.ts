import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import type { Logger } from '../src/lifecycle/logger.js';
import { TERMINAL_STATUSES } from '../src/lifecycle/types.js';
import { MemoryStore } from '../src/store/MemoryStore.js';
import { settle } from './helpers/driveClock.js';
import { until } from './helpers/warden.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/supervisor/${name}`, import.meta.url));

/** A logger that keeps every line, to see what the managed processes wrote. */
function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at =
    (level: string) =>
    (fields: object, msg = '') =>
      void lines.push({ level, fields: fields as Record<string, unknown>, msg });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  engine = undefined;
});

describe('a managed agent process', () => {
  it('is started with the engine, logged, restarted after it exits, and stopped gracefully on shutdown', async () => {
    const clock = new SimulatedClock(T0);
    const { logger, lines } = recordingLogger();
    const port = await freePort();
    const config = {
      agents: {
        managed: {
          adapter: { type: 'http', url: `http://127.0.0.1:${port}/run` },
          process: {
            command: process.execPath,
            args: [fixture('agent-server.js')],
            env: { PORT: String(port) },
            restartBackoff: { initialMs: '2s' },
          },
        },
      },
      supervisor: { checks: [] },
      store: 'memory:',
    };
    engine = await createEngine({ config, workflows: [{ name: 'ask', agent: 'managed' }], store: new MemoryStore(), clock, logger });
    const sup = engine.supervisor!;
    const proc = sup.process('managed')!;
    const listening = () =>
      lines.filter((l) => l.fields.agent === 'managed' && l.fields.stream === 'stdout' && /^listening on/.test(l.msg));
    await until(async () => listening().length === 1);
    await settle([engine, sup]);
    const first = proc.pid!;
    expect(sup.component('managed')).toMatchObject({
      state: 'healthy',
      health: 'healthy',
      check: 'process',
      process: { state: 'running', pid: first, restarts: 0 },
    });

    process.kill(first, 'SIGKILL');
    await until(async () => proc.state === 'backoff');
    await settle([engine, sup]);
    expect(proc.nextRestartAt).toBe(T0 + 2000);
    expect(sup.component('managed')).toMatchObject({ state: 'recovering', strategy: 'restart-process', health: 'unhealthy' });
    expect(engine.agents.get('managed')!.health).toBe('unhealthy');

    clock.advance(2000);
    await until(async () => listening().length === 2);
    await settle([engine, sup]);
    const second = proc.pid!;
    expect(second).not.toBe(first);
    expect(alive(first)).toBe(false);
    expect(proc.restarts).toEqual([
      { exitAt: T0, code: null, signal: 'SIGKILL', uptimeMs: 0, delayMs: 2000, restartedAt: T0 + 2000, reason: 'exited' },
    ]);
    expect(sup.transitions('managed').map((t) => [t.at, t.from, t.to, t.event])).toEqual([
      [new Date(T0).toISOString(), 'starting', 'healthy', 'CHECK_OK'],
      [new Date(T0).toISOString(), 'healthy', 'recovering', 'EXITED'],
      [new Date(T0 + 2000).toISOString(), 'recovering', 'verifying', 'STARTED'],
      [new Date(T0 + 2000).toISOString(), 'verifying', 'healthy', 'CHECK_OK'],
    ]);

    // The new process answers the agent's tasks.
    const { id } = await engine.submit('ask', { q: 'who?' });
    const task = await until(async () => {
      const t = await engine!.get(id);
      return t && TERMINAL_STATUSES.has(t.status) ? t : undefined;
    });
    expect(task).toMatchObject({ status: 'completed', answeredBy: 'managed', output: { pid: second, input: { q: 'who?' } } });

    await engine.stop({ drainTimeoutMs: 1000 });
    engine = undefined;
    expect(alive(second)).toBe(false);
    expect(proc.state).toBe('stopped');
    // It exited 0: it got SIGTERM and closed, it was not killed.
    expect(lines).toContainEqual(
      expect.objectContaining({
        fields: expect.objectContaining({ agent: 'managed', code: 0, signal: null }),
        msg: expect.stringMatching(/process stopped/),
      }),
    );
  });

  it('backs off a process that crashes every time, gives up at the restart intensity limit and escalates exactly once', async () => {
    const clock = new SimulatedClock(T0);
    const { logger, lines } = recordingLogger();
    const config = {
      agents: {
        crasher: {
          adapter: { type: 'simulated' },
          process: {
            command: process.execPath,
            args: [fixture('crash.js')],
            restartBackoff: { initialMs: '10s', maxMs: '5m' },
            maxRestarts: 3,
            withinMs: '10m',
          },
        },
      },
      supervisor: { checks: [] },
      store: 'memory:',
    };
    engine = await createEngine({ config, store: new MemoryStore(), clock, logger });
    const sup = engine.supervisor!;
    const proc = sup.process('crasher')!;
    const pids = new Set<number>();
    proc.on('started', ({ pid }) => pids.add(pid));

    // Wait (in real time) for each crash, then move the clock to its restart: no backoff is waited out.
    for (let i = 0; i < 10; i++) {
      await until(async () => proc.state === 'backoff' || proc.state === 'failed');
      await settle([engine, sup]);
      if (proc.state === 'failed') break;
      clock.advanceTo(proc.nextRestartAt!);
      await settle([engine, sup]);
    }

    expect(proc.state).toBe('failed');
    expect(proc.restarts.map((r) => [r.exitAt - T0, r.delayMs, r.restartedAt! - T0, r.code])).toEqual([
      [0, 10_000, 10_000, 1],
      [10_000, 20_000, 30_000, 1],
      [30_000, 40_000, 70_000, 1],
    ]);
    expect(pids.size).toBe(4);
    const iso = (ms: number) => new Date(T0 + ms).toISOString();
    const cycle = (ms: number, delay: number) => [
      [iso(ms), 'healthy', 'recovering', 'EXITED', `exited with code 1; restarting in ${delay} ms`],
      [iso(ms + delay), 'recovering', 'verifying', 'STARTED', expect.stringMatching(/^pid \d+$/)],
      [iso(ms + delay), 'verifying', 'healthy', 'CHECK_OK', expect.stringMatching(/^running \(pid \d+\)$/)],
    ];
    expect(sup.transitions('crasher').map((t) => [t.at, t.from, t.to, t.event, t.detail])).toEqual([
      [iso(0), 'starting', 'healthy', 'CHECK_OK', expect.stringMatching(/^running/)],
      ...cycle(0, 10_000),
      ...cycle(10_000, 20_000),
      ...cycle(30_000, 40_000),
      [iso(70_000), 'healthy', 'failed', 'GIVE_UP', '3 restart(s) within 600000 ms reached the limit of 3: not restarting again'],
    ]);
    expect(sup.component('crasher')).toMatchObject({ state: 'failed', health: 'unhealthy' });
    expect(engine.agents.get('crasher')!.health).toBe('unhealthy');
    expect(lines.filter((l) => l.fields.agent === 'crasher' && l.fields.stream === 'stderr' && /^crashing/.test(l.msg)).length).toBe(4);

    await sup.settled();
    const escalations = await engine.store.listEscalations();
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      workflow: 'agent:crasher',
      severity: 'high',
      status: 'open',
      finalErrorCode: 'RESTART_INTENSITY_EXCEEDED',
    });
    expect(escalations[0]!.details).toMatchObject({
      state: 'failed',
      process: { state: 'failed', restarts: [{ delayMs: 10_000 }, { delayMs: 20_000 }, { delayMs: 40_000 }] },
    });
    expect((escalations[0]!.details as { process: { lastOutput: string[] } }).process.lastOutput).toContainEqual(
      expect.stringMatching(/^stderr: crashing/),
    );
    expect(escalations[0]!.timeline!.at(-1)).toMatchObject({ from: 'healthy', to: 'failed', event: 'GIVE_UP' });

    // Warden leaves it down: an hour later there is no new process and no second escalation.
    // Every timer of that hour fires as the clock moves, and a restart would begin inside one of
    // them (the process leaves `failed` the moment it spawns); the supervisor's last check, at the
    // end of the hour, saw it down and let it be.
    clock.advance(3_600_000);
    expect(proc.state).toBe('failed');
    await settle([engine, sup]);
    expect(sup.component('crasher')!.lastCheck).toEqual({ at: iso(3_670_000), ok: false, detail: 'not running (failed)' });
    expect(proc.state).toBe('failed');
    expect(pids.size).toBe(4);
    expect(await engine.store.listEscalations()).toHaveLength(1);
  });
});
