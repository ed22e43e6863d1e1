/**
 * Prometheus metrics of one engine, in a registry of its own (never prom-client's global one), so
 * that several engines in one process (tests, embedders) each have theirs.
 *
 * Counters and histograms follow engine events as they happen; gauges of current state (live tasks,
 * circuits, agent health, supervisor state) are read when scraped.
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EscalationRecord } from '../escalation/types.js';
import type { Engine } from '../lifecycle/Engine.js';
import type { AttemptEvent } from '../lifecycle/events.js';
import { FINAL_STATES } from '../lifecycle/taskMachine.js';
import { PRUNED_KINDS, type PruneCounts } from '../store/Prune.js';
import type { Task, TaskStatus, TransitionEvent } from '../lifecycle/types.js';
import { SUPERVISOR_STATES } from '../supervisor/index.js';

/** Options for {@link attachMetrics}. */
export interface MetricsOptions {
  /** Also collect prom-client's process and Node metrics (event-loop delay, heap, GC). Defaults to true. */
  defaultMetrics?: boolean;
}

/** An engine's metrics. */
export interface Metrics {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
  /** Stops following the engine and empties the registry. */
  close(): void;
}

/** `warden_circuit_state`: 0 closed, 1 half-open, 2 open. */
export const CIRCUIT_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;
const LIVE_STATUSES = ['queued', 'running', 'waiting'] as const;

const TASK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** A task's status from its machine state: what `Engine` stores as `status`. */
function statusOfState(state: string): TaskStatus {
  if (FINAL_STATES.has(state)) return state as TaskStatus;
  return state === 'queued' || state === 'waiting' ? state : 'running';
}

/**
 * Follows `engine` and keeps its metrics in a new registry. Metric names (all `warden_`):
 *
 * - `tasks_submitted_total{workflow}`, `tasks_ended_total{workflow,status}`, `tasks_active{status}`
 * - `task_duration_seconds{workflow,status}` (submit to end)
 * - `attempts_total{agent,outcome}`, `attempt_errors_total{agent,code}`, `attempt_duration_seconds{agent,outcome}`
 * - `fallback_hops_total{workflow,agent}`: routed to an agent other than the plan's first
 * - `escalations_total{severity}` (opened), `escalation_deliveries_total{channel,severity,outcome}`
 * - `circuit_state{agent}` (0 closed, 1 half-open, 2 open), `circuit_transitions_total{agent,to}`
 * - `agent_health{agent,status}`, `agent_in_flight{agent}`, `agent_queued{agent}`
 * - `supervisor_state{component,state}` (1 for the current state), when the engine has a supervisor
 * - `pruned_total{kind}`: rows deleted by retention (tasks, transitions, attempts, escalations, outbox)
 *
 * plus prom-client's `process_*` and `nodejs_*` metrics (`nodejs_eventloop_lag_*` among them).
 *
 * @example
 * const metrics = attachMetrics(engine);
 * app.get('/metrics', async (c) => c.text(await metrics.text()));
 */
export function attachMetrics(engine: Engine, opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const submitted = new Counter({
    name: 'warden_tasks_submitted_total',
    help: 'Tasks accepted, by workflow.',
    labelNames: ['workflow'],
    registers,
  });
  const ended = new Counter({
    name: 'warden_tasks_ended_total',
    help: 'Tasks that reached a terminal status (completed, degraded, failed, cancelled), by workflow.',
    labelNames: ['workflow', 'status'],
    registers,
  });
  const taskDuration = new Histogram({
    name: 'warden_task_duration_seconds',
    help: 'Time from submit to the terminal status, on the engine clock.',
    labelNames: ['workflow', 'status'],
    buckets: TASK_BUCKETS,
    registers,
  });
  const attempts = new Counter({
    name: 'warden_attempts_total',
    help: 'Calls to agents that answered (ok) or failed (error).',
    labelNames: ['agent', 'outcome'],
    registers,
  });
  const attemptErrors = new Counter({
    name: 'warden_attempt_errors_total',
    help: 'Failed calls to agents, by error code.',
    labelNames: ['agent', 'code'],
    registers,
  });
  const attemptDuration = new Histogram({
    name: 'warden_attempt_duration_seconds',
    help: 'Time from calling an agent to its answer or failure, on the engine clock.',
    labelNames: ['agent', 'outcome'],
    buckets: ATTEMPT_BUCKETS,
    registers,
  });
  const hops = new Counter({
    name: 'warden_fallback_hops_total',
    help: "Routings to an agent other than the plan's first (a fallback), by workflow and the agent routed to.",
    labelNames: ['workflow', 'agent'],
    registers,
  });
  const escalations = new Counter({
    name: 'warden_escalations_total',
    help: 'Escalations opened, by severity.',
    labelNames: ['severity'],
    registers,
  });
  const deliveries = new Counter({
    name: 'warden_escalation_deliveries_total',
    help: 'Notification sends to channels: outcome sent or failed (a failed send is retried or falls back).',
    labelNames: ['channel', 'severity', 'outcome'],
    registers,
  });
  new Counter({
    name: 'warden_internal_errors_total',
    help: 'Problems the engine survived (a failed breaker save, a failed timer sweep, a throwing listener…), by where they happened.',
    labelNames: ['where'],
    registers,
    // Counted by the engine from its start, so errors before the first scrape are not lost.
    collect() {
      this.reset();
      for (const [where, n] of engine.internalErrors) this.inc({ where }, n);
    },
  });
  const pruned = new Counter({
    name: 'warden_pruned_total',
    help: 'Rows deleted by retention, by kind: tasks, transitions, attempts, escalations, outbox.',
    labelNames: ['kind'],
    registers,
  });
  // Every kind shows from the start, at 0, so a rate() over it is defined before the first purge.
  for (const kind of PRUNED_KINDS) pruned.inc({ kind }, 0);
  const circuitMoves = new Counter({
    name: 'warden_circuit_transitions_total',
    help: 'Circuit breaker state changes, by the state entered.',
    labelNames: ['agent', 'to'],
    registers,
  });

  // ---- live tasks: counted per status as transitions move them ----
  const liveStatus = new Map<string, TaskStatus>();
  const liveCount = new Map<TaskStatus, number>();
  let seeding: Set<string> | undefined = new Set();
  const move = (taskId: string, to: TaskStatus | undefined) => {
    const from = liveStatus.get(taskId);
    if (from === to) return;
    if (from) liveCount.set(from, (liveCount.get(from) ?? 0) - 1);
    if (to && !FINAL_STATES.has(to)) {
      liveStatus.set(taskId, to);
      liveCount.set(to, (liveCount.get(to) ?? 0) + 1);
    } else liveStatus.delete(taskId);
  };
  new Gauge({
    name: 'warden_tasks_active',
    help: 'Tasks not yet terminal, by status (queued, running, waiting).',
    labelNames: ['status'],
    registers,
    collect() {
      for (const s of LIVE_STATUSES) this.set({ status: s }, liveCount.get(s) ?? 0);
    },
  });
  // Tasks that were live before metrics were attached (recovered or parked ones) are counted once.
  void engine.store
    .nonTerminalTasks()
    .then((recs) => {
      for (const r of recs) if (!seeding?.has(r.id)) move(r.id, r.status);
    })
    .catch(() => {})
    .finally(() => (seeding = undefined));

  // ---- agents and the supervisor: read when scraped ----
  new Gauge({
    name: 'warden_circuit_state',
    help: 'Circuit breaker state per agent: 0 closed, 1 half-open, 2 open.',
    labelNames: ['agent'],
    registers,
    collect() {
      for (const a of engine.agentViews()) this.set({ agent: a.id }, CIRCUIT_STATE_VALUE[a.circuit.state]);
    },
  });
  new Gauge({
    name: 'warden_agent_health',
    help: 'Agent health as the supervisor last saw it: 1 for the current status (healthy, unhealthy, unknown).',
    labelNames: ['agent', 'status'],
    registers,
    collect() {
      for (const a of engine.agentViews())
        for (const s of ['healthy', 'unhealthy', 'unknown']) this.set({ agent: a.id, status: s }, a.health.status === s ? 1 : 0);
    },
  });
  new Gauge({
    name: 'warden_agent_in_flight',
    help: 'Calls in flight per agent.',
    labelNames: ['agent'],
    registers,
    collect() {
      for (const a of engine.agentViews()) this.set({ agent: a.id }, a.inFlight);
    },
  });
  new Gauge({
    name: 'warden_agent_queued',
    help: "Calls waiting for a slot of the agent's bulkhead.",
    labelNames: ['agent'],
    registers,
    collect() {
      for (const a of engine.agentViews()) this.set({ agent: a.id }, a.queued);
    },
  });
  new Gauge({
    name: 'warden_supervisor_state',
    help: "The supervisor machine's state per component: 1 for the current state.",
    labelNames: ['component', 'state'],
    registers,
    collect() {
      this.reset();
      for (const c of engine.supervisor?.healthSummary().components ?? []) {
        for (const s of SUPERVISOR_STATES) this.set({ component: c.name, state: s }, s === c.state ? 1 : 0);
      }
    },
  });

  // ---- following the engine ----
  const primaries = new Map<string, string | undefined>();
  /** The first agent of a workflow's plan (as `Engine` builds plans: the agent, or the first with the capability). */
  const primaryOf = (workflow: string): string | undefined => {
    if (!primaries.has(workflow)) {
      const wf = engine.workflows.get(workflow);
      const agents = engine.config.config.agents;
      primaries.set(
        workflow,
        wf?.agent ?? Object.keys(agents).find((id) => wf?.capability !== undefined && agents[id]!.capabilities.includes(wf.capability)),
      );
    }
    return primaries.get(workflow);
  };

  const onTransition = (t: TransitionEvent) => {
    seeding?.add(t.taskId);
    if (t.from === null) submitted.inc({ workflow: t.workflow });
    if (t.event === 'ROUTED' && t.agent !== undefined && t.agent !== primaryOf(t.workflow))
      hops.inc({ workflow: t.workflow, agent: t.agent });
    move(t.taskId, statusOfState(t.to));
  };
  const onEnded = (task: Task) => {
    ended.inc({ workflow: task.workflow, status: task.status });
    const ms = Date.parse(task.updatedAt) - Date.parse(task.createdAt);
    if (Number.isFinite(ms)) taskDuration.observe({ workflow: task.workflow, status: task.status }, Math.max(0, ms) / 1000);
    move(task.id, undefined);
  };
  const onAttempt = (a: AttemptEvent) => {
    const outcome = a.outcome === 'ok' ? 'ok' : 'error';
    attempts.inc({ agent: a.agent, outcome });
    if (a.error) attemptErrors.inc({ agent: a.agent, code: a.error.code });
    attemptDuration.observe({ agent: a.agent, outcome }, Math.max(0, a.durationMs) / 1000);
  };
  const onCircuit = (e: { agent: string; to: string }) => circuitMoves.inc({ agent: e.agent, to: e.to });
  const onPruned = (counts: PruneCounts) => {
    for (const kind of PRUNED_KINDS) if (counts[kind] > 0) pruned.inc({ kind }, counts[kind]);
  };

  const opened = new Set<string>();
  const onEscalation = (e: EscalationRecord, what: string) => {
    // A new escalation is committed once as `open` with its first task; grouping, re-escalation and
    // sends change updatedAt or count. The set guards against seeing one twice.
    if (what === 'open' && e.count === 1 && e.createdAt === e.updatedAt && !opened.has(e.id)) {
      if (opened.size > 10_000) opened.clear();
      opened.add(e.id);
      escalations.inc({ severity: e.severity });
    }
    // The service reports sends as "<kind> sent to <channel>" and failures as "send to <channel> failed".
    const sent = /^\S+ sent to (.+)$/.exec(what);
    const failed = /^send to (.+) failed$/.exec(what);
    if (sent) deliveries.inc({ channel: sent[1]!, severity: e.severity, outcome: 'sent' });
    if (failed) deliveries.inc({ channel: failed[1]!, severity: e.severity, outcome: 'failed' });
  };

  engine.on('transition', onTransition);
  engine.on('taskEnded', onEnded);
  engine.on('attempt', onAttempt);
  engine.on('circuit', onCircuit);
  engine.on('pruned', onPruned);
  engine.escalations.on('changed', onEscalation);

  return {
    registry,
    text: () => registry.metrics(),
    close() {
      engine.off('transition', onTransition);
      engine.off('taskEnded', onEnded);
      engine.off('attempt', onAttempt);
      engine.off('circuit', onCircuit);
      engine.off('pruned', onPruned);
      engine.escalations.off('changed', onEscalation);
      registry.clear();
    },
  };
}

const perEngine = new WeakMap<Engine, Metrics>();

/** The engine's metrics, attached on first use: one registry per engine however many apps serve it. */
export function metricsFor(engine: Engine): Metrics {
  let m = perEngine.get(engine);
  if (!m) perEngine.set(engine, (m = attachMetrics(engine)));
  return m;
}
