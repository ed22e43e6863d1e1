import { afterEach, describe, expect, it } from 'vitest';
import { driveUntil } from '../../test/helpers/driveClock.js';
import { SimulatedClock } from '../clock/index.js';
import { parseConfig } from '../config/index.js';
import type { IncidentInput } from '../escalation/EscalationService.js';
import { AgentPool } from '../lifecycle/AgentPool.js';
import { silentLogger } from '../lifecycle/logger.js';
import type { BreakerRecord } from '../store/Store.js';
import type { WatchedChannel } from './SupervisorHost.js';
import { Supervisor } from './Supervisor.js';
import type { SupervisorHost } from './SupervisorHost.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

/**
 * A host made of plain objects, no engine anywhere: a breaker table in a Map that can be made to
 * fail, an agent pool, and an incident desk that only remembers what it was told.
 */
function plainHost() {
  const config = parseConfig({
    agents: { solo: { adapter: { type: 'simulated' }, healthCheck: { type: 'passive' } } },
    supervisor: { checks: ['store'], intervalMs: '1s', failureThreshold: 1, recovery: { store: [{ strategy: 'reconnect' }] } },
  });
  const clock = new SimulatedClock(T0);
  const rows = new Map<string, BreakerRecord>();
  const store = {
    broken: false,
    kind: 'plain',
    async saveBreaker(agent: string, snapshot: unknown, at: number) {
      if (store.broken) throw new Error('disk full');
      rows.set(agent, { agent, snapshot: structuredClone(snapshot), updatedAt: at });
    },
    async loadBreakers() {
      return [...rows.values()];
    },
    async listTasks() {
      return [];
    },
  };
  const incidents: { raised: IncidentInput[]; resolved: string[] } = { raised: [], resolved: [] };
  const agents = new AgentPool(config.agents, clock);
  const host: SupervisorHost = {
    clock,
    logger: silentLogger,
    config: config.supervisor,
    agentConfigs: config.agents,
    configDir: '.',
    agents,
    store,
    escalations: {
      channels: new Map(),
      raiseIncident: async (input) => incidents.raised.push(input),
      resolveIncident: async (key) => incidents.resolved.push(key),
      on: () => {},
      off: () => {},
    },
  };
  return { host, clock, store, rows, agents, incidents };
}

let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop({ drainTimeoutMs: 0 });
  running = undefined;
});

describe('a supervisor on a hand-built host', () => {
  it('marks a supervised agent ready for routing in the pool the host hands it', async () => {
    const { host, clock, agents } = plainHost();
    const sup = (running = new Supervisor(host, { env: {} }));
    expect(agents.get('solo')!.health).toBe('unknown');
    await sup.start();
    await driveUntil(clock, () => sup.component('solo')?.state === 'healthy', [sup]);
    expect(agents.get('solo')!.health).toBe('healthy');
    expect(sup.components().map((c) => c.name)).toEqual(['agent:solo', 'system:store']);
  });

  it('verifies the escalation channels at start, not one channelsIntervalMs in', async () => {
    const { host, clock } = plainHost();
    let verifies = 0;
    const slack: WatchedChannel = {
      name: 'eng-slack',
      type: 'slack',
      verify: async () => {
        verifies++;
        throw new Error('connect ECONNREFUSED 127.0.0.1:9');
      },
    };
    const sup = (running = new Supervisor(
      {
        ...host,
        config: { ...host.config, checks: ['channels'] },
        escalations: { ...host.escalations, channels: new Map([['eng-slack', slack]]) },
      },
      { env: {} },
    ));
    await sup.start();
    await sup.settled();
    // no time has passed on the clock: the check ran because the supervisor started
    expect(clock.now()).toBe(T0);
    expect(verifies).toBe(1);
    expect(sup.component('channels')?.lastCheck).toMatchObject({
      ok: false,
      detail: expect.stringContaining('eng-slack: connect ECONNREFUSED'),
    });
  });

  it("escalates a store its ladder cannot mend, resolves the incident once it writes again, and keeps the record in the host's store", async () => {
    const { host, clock, store, rows, incidents } = plainHost();
    store.broken = true;
    const sup = (running = new Supervisor(host, { env: {} }));
    await sup.start();
    await driveUntil(clock, () => sup.component('store')?.state === 'escalated', [sup]);
    expect(incidents.raised).toEqual([
      expect.objectContaining({ key: 'supervisor:system:store', source: 'system:store', code: 'RECOVERY_FAILED' }),
    ]);

    store.broken = false;
    await driveUntil(clock, () => sup.component('store')?.state === 'healthy', [sup]);
    await sup.settled();
    expect(incidents.resolved).toEqual(['supervisor:system:store']);
    expect(sup.transitions('store').map((t) => [t.from, t.to, t.event, t.strategy])).toEqual([
      ['starting', 'unhealthy', 'CHECK_FAILED', undefined],
      ['unhealthy', 'recovering', 'RECOVER', 'reconnect'],
      ['recovering', 'escalated', 'RECOVERY_FAILED', 'reconnect'],
      ['escalated', 'healthy', 'CHECK_OK', undefined],
    ]);
    // The strategy reached the store through the host: its own write failed the same way.
    expect(sup.transitions('store')[2]!.detail).toBe('disk full');
    expect(rows.get('__supervisor__:system:store')?.snapshot).toMatchObject({ incidentOpen: false, seq: 4 });
  });
});
