/**
 * `GET /api/health`: the report of the engine and of every part it relies on, and the one rule
 * that turns it into a status a prober may act on.
 * @module
 */
import { z } from 'zod';
import { channelHealthSchema } from '../escalation/channels/ChannelMonitor.js';
import type { EscalationService } from '../escalation/EscalationService.js';
import type { AgentView } from '../lifecycle/AgentPool.js';
import type { Engine } from '../lifecycle/Engine.js';
import type { Store } from '../store/Store.js';
import type { Supervisor } from '../supervisor/Supervisor.js';
import type { HealthSummary } from '../supervisor/types.js';
import type { StoreVerdict } from './StoreProbe.js';

const status = z
  .enum(['healthy', 'degraded', 'unhealthy', 'unknown'])
  .describe('unknown: no verdict yet (a channel not used or verified yet, a supervised agent still starting); it counts for nothing');

/** The engine: it accepts tasks, or it is starting or draining. */
const engineComponent = z.looseObject({
  name: z.literal('engine'),
  kind: z.literal('engine'),
  status,
  phase: z.enum(['starting', 'running', 'stopping', 'stopped']),
  detail: z.string(),
});

/** The store: whether it answered a read just now. */
const storeComponent = z.looseObject({
  name: z.literal('store'),
  kind: z.literal('store'),
  status,
  store: z.string().describe('sqlite, memory or postgres'),
  detail: z.string(),
});

/** An agent: its circuit, its readiness for routing and, when supervised, its supervisor state. */
const agentComponent = z.looseObject({
  name: z.string().describe('agent:<id>'),
  kind: z.literal('agent'),
  status,
  circuit: z.enum(['closed', 'open', 'half-open']),
  health: z.enum(['healthy', 'unhealthy', 'unknown']).describe('Its readiness for routing, from its health check'),
  state: z.string().optional().describe("The supervisor machine's state, when the supervisor watches it"),
});

/** An escalation channel: its last verification, send or test. */
const channelComponent = channelHealthSchema.omit({ channel: true }).extend({
  name: z.string().describe('channel:<name>'),
  kind: z.literal('channel'),
});

/** The supervisor: running in this process or not. */
const supervisorComponent = z.looseObject({
  name: z.literal('supervisor'),
  kind: z.literal('supervisor'),
  status,
  detail: z.string(),
});

/** A system component the supervisor watches (`system:event-loop`, `system:heap`, …). */
const systemComponent = z.looseObject({
  name: z.string().describe('system:<check>'),
  kind: z.literal('system'),
  status,
  state: z.string().optional().describe("The supervisor machine's state"),
});

/** One line of the report. */
export const healthComponentSchema = z.discriminatedUnion('kind', [
  engineComponent,
  storeComponent,
  agentComponent,
  channelComponent,
  supervisorComponent,
  systemComponent,
]);

/** What `GET /api/health` answers, 200 or 503 alike. */
export const healthReportSchema = z.object({
  status: z
    .enum(['healthy', 'degraded', 'unhealthy'])
    .describe(
      'unhealthy (and HTTP 503) only when Warden itself cannot take work: the engine is starting or draining, or the store does not answer. An agent, a channel or a system check that is down makes it degraded, never unhealthy: fallback chains and degraded responses still answer.',
    ),
  components: z
    .array(healthComponentSchema)
    .describe('The engine, the store, each agent, each channel, the supervisor, then its system checks'),
});

/** The health report. */
export type HealthReport = z.infer<typeof healthReportSchema>;
/** One line of the health report. */
export type HealthComponent = z.infer<typeof healthComponentSchema>;
type Status = HealthComponent['status'];

/** What the report reads of an engine: an Engine is one. */
export interface HealthSource {
  readonly phase: Engine['phase'];
  readonly supervisor: Pick<Supervisor, 'healthSummary'> | undefined;
  readonly store: Pick<Store, 'kind'>;
  readonly escalations: Pick<EscalationService, 'channelHealth'>;
  readonly config: { readonly config: { readonly supervisor: { readonly enabled: boolean } } };
  agentViews(): AgentView[];
}

const PHASE_WORDS = {
  starting: 'starting: resuming unfinished tasks',
  running: 'accepting tasks',
  stopping: 'draining: finishing the calls in flight, accepting no tasks',
  stopped: 'stopped',
} as const;

/**
 * The report of `engine` with the store's latest answer: the engine, the store, each agent
 * (judged by its supervisor when it has one, and by its circuit), each channel, the supervisor
 * and its system checks. Only the engine and the store decide `unhealthy`; anything else that is
 * down makes the whole `degraded`.
 *
 * @example
 * const report = healthReport(engine, await probe.check());
 * res.status(report.status === 'unhealthy' ? 503 : 200).json(report);
 */
export function healthReport(engine: HealthSource, store: StoreVerdict): HealthReport {
  const phase = engine.phase;
  const summary = engine.supervisor?.healthSummary();
  const supervised = new Map((summary?.components ?? []).map((c) => [c.name, c]));
  const components: HealthComponent[] = [
    { name: 'engine', kind: 'engine', status: phase === 'running' ? 'healthy' : 'unhealthy', phase, detail: PHASE_WORDS[phase] },
    { name: 'store', kind: 'store', status: store.ok ? 'healthy' : 'unhealthy', store: engine.store.kind, detail: store.detail },
    ...engine.agentViews().map((a) => agentLine(a, supervised.get(`agent:${a.id}`))),
    ...engine.escalations.channelHealth().map(({ channel, ...h }) => ({ name: `channel:${channel}`, kind: 'channel' as const, ...h })),
    supervisorLine(engine, summary),
    ...[...supervised.values()]
      .filter((c) => !c.name.startsWith('agent:'))
      .map((c) => ({ name: c.name, kind: 'system' as const, status: c.status, state: c.state, lastCheck: c.lastCheck ?? null })),
  ];
  const down = components.some((c) => (c.kind === 'engine' || c.kind === 'store') && c.status === 'unhealthy');
  const hurt = components.some((c) => c.status === 'degraded' || c.status === 'unhealthy');
  return { status: down ? 'unhealthy' : hurt ? 'degraded' : 'healthy', components };
}

/**
 * An agent's line: the worse of what its supervisor says (when it watches the agent) or its
 * readiness for routing (when not), and what its circuit says: open is unhealthy, half-open
 * degraded. An agent without a health check and with a closed circuit is healthy: it serves.
 */
function agentLine(a: AgentView, supervised: HealthSummary['components'][number] | undefined): HealthComponent {
  const own: Status = supervised ? supervised.status : a.health.status === 'unhealthy' ? 'unhealthy' : 'healthy';
  // a closed circuit only says no call failed lately: no verdict of its own
  const circuit: Status = a.circuit.state === 'open' ? 'unhealthy' : a.circuit.state === 'half-open' ? 'degraded' : 'unknown';
  return {
    name: `agent:${a.id}`,
    kind: 'agent',
    status: worst(own, circuit),
    circuit: a.circuit.state,
    health: a.health.status,
    ...(supervised ? { state: supervised.state, lastCheck: supervised.lastCheck ?? null } : {}),
    ...(a.drained ? { drained: true } : {}),
  };
}

function supervisorLine(engine: HealthSource, summary: HealthSummary | undefined): HealthComponent {
  if (summary)
    return { name: 'supervisor', kind: 'supervisor', status: 'healthy', detail: `watching ${summary.components.length} component(s)` };
  const detail = engine.config.config.supervisor.enabled
    ? 'not running in this process (in distributed mode, the leader supervises)'
    : 'off (supervisor.enabled is false)';
  return { name: 'supervisor', kind: 'supervisor', status: 'unknown', detail };
}

const RANK: Readonly<Record<Status, number>> = { unknown: 0, healthy: 1, degraded: 2, unhealthy: 3 };

/** The worse of two statuses; `unknown` yields to any verdict. */
function worst(a: Status, b: Status): Status {
  return RANK[a] >= RANK[b] ? a : b;
}
