import { describe, expect, it } from 'vitest';
import type { ChannelHealth } from '../escalation/channels/ChannelMonitor.js';
import type { AgentView } from '../lifecycle/AgentPool.js';
import type { HealthSummary } from '../supervisor/types.js';
import { type HealthReport, type HealthSource, healthReport } from './healthReport.js';

const agent = (id: string, over: { circuit?: AgentView['circuit']['state']; health?: AgentView['health']['status'] } = {}): AgentView => ({
  id,
  capabilities: [],
  circuit: { state: over.circuit ?? 'closed' },
  health: { status: over.health ?? 'unknown' },
  inFlight: 0,
  queued: 0,
  maxConcurrency: 10,
  recentErrorRate: 0,
});

interface Situation {
  phase?: HealthSource['phase'];
  agents?: AgentView[];
  channels?: ChannelHealth[];
  summary?: HealthSummary;
  storeOk?: boolean;
}

function report(s: Situation = {}): HealthReport {
  const summary = s.summary;
  const source: HealthSource = {
    phase: s.phase ?? 'running',
    supervisor: summary ? { healthSummary: () => summary } : undefined,
    store: { kind: 'sqlite' },
    escalations: { channelHealth: () => s.channels ?? [{ channel: 'console', type: 'log', status: 'healthy' }] },
    config: { config: { supervisor: { enabled: true } } },
    agentViews: () => s.agents ?? [agent('primary'), agent('backup')],
  };
  return healthReport(source, { ok: s.storeOk ?? true, detail: s.storeOk === false ? 'sqlite store did not answer: SQLITE_BUSY' : 'ok' });
}

const supervised = (name: string, status: HealthSummary['components'][number]['status'], kind: 'agent' | 'system' = 'agent') => ({
  name,
  kind,
  status,
  state: status === 'healthy' ? ('healthy' as const) : ('escalated' as const),
  lastCheck: null,
});

describe('the overall status of the health report', () => {
  it.each<[string, Situation, HealthReport['status']]>([
    ['everything well', {}, 'healthy'],
    ['an agent whose circuit is open', { agents: [agent('primary', { circuit: 'open' }), agent('backup')] }, 'degraded'],
    ['every agent down', { agents: [agent('primary', { circuit: 'open' }), agent('backup', { health: 'unhealthy' })] }, 'degraded'],
    ['an unsupervised agent whose readiness is unhealthy', { agents: [agent('primary', { health: 'unhealthy' })] }, 'degraded'],
    [
      'a supervised agent the supervisor gave up on',
      { summary: { status: 'unhealthy', components: [supervised('agent:primary', 'unhealthy')] } },
      'degraded',
    ],
    [
      'a system check down (the event loop)',
      { summary: { status: 'unhealthy', components: [supervised('system:event-loop', 'unhealthy', 'system')] } },
      'degraded',
    ],
    [
      'a channel that cannot be reached',
      { channels: [{ channel: 'eng-slack', type: 'slack', status: 'unhealthy', error: { code: 'CHANNEL_UNREACHABLE', message: 'x' } }] },
      'degraded',
    ],
    ['a channel not verified yet', { channels: [{ channel: 'eng-slack', type: 'slack', status: 'unknown' }] }, 'healthy'],
    ['the store not answering', { storeOk: false }, 'unhealthy'],
    ['the engine starting', { phase: 'starting' }, 'unhealthy'],
    ['the engine draining', { phase: 'stopping' }, 'unhealthy'],
  ])('%s: %s', (_what, situation, status) => {
    expect(report(situation).status).toBe(status);
  });
});

describe('the components of the health report', () => {
  it('judges an agent by the worse of its supervisor and its circuit', () => {
    const r = report({
      agents: [agent('primary', { circuit: 'half-open', health: 'healthy' }), agent('backup')],
      summary: { status: 'healthy', components: [supervised('agent:primary', 'healthy')] },
    });
    expect(r.components.find((c) => c.name === 'agent:primary')).toEqual({
      name: 'agent:primary',
      kind: 'agent',
      status: 'degraded',
      circuit: 'half-open',
      health: 'healthy',
      state: 'healthy',
      lastCheck: null,
    });
    expect(r.components.find((c) => c.name === 'agent:backup')).toEqual({
      name: 'agent:backup',
      kind: 'agent',
      status: 'healthy',
      circuit: 'closed',
      health: 'unknown',
    });
  });

  it('says why the supervisor is not there', () => {
    expect(report().components.find((c) => c.name === 'supervisor')).toEqual({
      name: 'supervisor',
      kind: 'supervisor',
      status: 'unknown',
      detail: 'not running in this process (in distributed mode, the leader supervises)',
    });
  });

  it('names the engine phase and the store verdict', () => {
    const r = report({ phase: 'starting', storeOk: false });
    expect(r.components.slice(0, 2)).toEqual([
      { name: 'engine', kind: 'engine', status: 'unhealthy', phase: 'starting', detail: 'starting: resuming unfinished tasks' },
      { name: 'store', kind: 'store', status: 'unhealthy', store: 'sqlite', detail: 'sqlite store did not answer: SQLITE_BUSY' },
    ]);
  });
});
