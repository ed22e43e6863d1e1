import type { AgentConfig, LoadedConfig } from '../config/index.js';
import { SimulatedClock } from '../clock/index.js';
import type { Severity } from '../errors/index.js';
import { createEngine } from '../lifecycle/createEngine.js';
import type { Engine } from '../lifecycle/Engine.js';
import { silentLogger } from '../lifecycle/logger.js';
import type { Task } from '../lifecycle/types.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { FaultyAgents, type AgentCallStats, type RetryAfterStats } from './FaultyAgents.js';
import type { TimeWindow } from './FaultSchedule.js';
import { minimalValue } from './minimalValue.js';
import { hashSeed, mulberry32 } from './mulberry32.js';
import { createScenario, type ScenarioName } from './scenarios.js';

/** Options of {@link runDrill}. */
export interface DrillOptions {
  /** The user's config and workflows, as `loadConfig` returns them. */
  loaded: LoadedConfig;
  scenario: ScenarioName;
  /** Seeds the fault schedule and the engine's jitter. Defaults to 1. */
  seed?: number;
  /** Tasks submitted per workflow. Defaults to 100. */
  tasks?: number;
  /** Only these workflows. Defaults to every workflow. */
  workflows?: readonly string[];
  /** Tasks arrive evenly over this much simulated time. Defaults to the scenario's 120 s. */
  spanMs?: number;
  /** The agents the fault hits. Defaults to the primary agent of each drilled workflow (`flaky` hits every agent anyway). */
  targets?: readonly string[];
  /** The input submitted to each workflow. Defaults to a minimal value of its `inputSchema`. */
  inputs?: Readonly<Record<string, unknown>>;
}

/** How one workflow fared. Rates are fractions of the tasks accepted. */
export interface WorkflowDrillReport {
  tasks: number;
  completed: number;
  degraded: number;
  failed: number;
  cancelled: number;
  successRate: number;
  degradedRate: number;
  failedRate: number;
  /** Simulated time from submission to the end, per task. */
  latencyMs: { p50: number; p99: number; max: number };
  /** Submissions the engine refused (the generated input failed the inputSchema, say), with the first reason. */
  refused?: { count: number; reason: string };
}

/** What {@link runDrill} found. Deterministic: the same options give a deep-equal report. */
export interface DrillReport {
  scenario: ScenarioName;
  description: string;
  seed: number;
  tasksPerWorkflow: number;
  spanMs: number;
  faultWindow: TimeWindow;
  targets: string[];
  /** Simulated time from the first submission until the last task ended. */
  simulatedMs: number;
  workflows: Record<string, WorkflowDrillReport>;
  /** Calls each agent received, and how often its circuit opened. */
  agents: Record<string, AgentCallStats & { circuitOpened: number }>;
  /** Tasks that ended degraded or failed, by the severity of their escalation. */
  escalations: Record<Severity, number>;
  /** Escalation records after grouping by fingerprint: what would have reached people (through log-only channels here). */
  escalationRecords: Record<Severity, number>;
  /** How the engine treated the Retry-After of 429 answers. */
  retryAfter: RetryAfterStats;
}

/** The start of every drill's simulated time, fixed so that reports do not depend on when they ran. */
const DRILL_EPOCH = Date.parse('2026-01-01T00:00:00.000Z');
/** A drill whose tasks still run after this much simulated time past the arrivals is stuck. */
const MAX_OVERRUN_MS = 24 * 3_600_000;

/**
 * Runs a fault drill of the user's own config: every agent's adapter is replaced by an
 * in-process agent driven by the scenario's fault schedule, while the user's retry, breaker,
 * timeout, fallback and degraded settings stay as written. The engine runs on a
 * `SimulatedClock` with a memory store, so a drill of hours of traffic takes seconds, touches no
 * real agent, and gives the same report for the same seed. Escalation channels are replaced by
 * log-only ones (and the log is silent) so a drill never pages anyone, and the supervisor does not
 * run: its probes would reach the real agents and its recovery ladders restart processes, run
 * commands and call webhooks.
 *
 * @example
 * const report = await runDrill({ loaded: await loadConfig(), scenario: 'outage', seed: 7, tasks: 50 });
 * console.log(report.workflows['code-review'].successRate);
 */
export async function runDrill(opts: DrillOptions): Promise<DrillReport> {
  const seed = opts.seed ?? 1;
  const perWorkflow = opts.tasks ?? 100;
  if (!(Number.isInteger(perWorkflow) && perWorkflow >= 1)) throw new RangeError(`tasks must be an integer ≥ 1, got ${perWorkflow}`);
  const loaded = drillConfig(opts.loaded);
  const names = opts.workflows ? [...opts.workflows] : [...loaded.workflows.keys()];
  for (const n of names) if (!loaded.workflows.has(n)) throw new RangeError(`unknown workflow "${n}"`);
  const targets = opts.targets ?? [...new Set(names.map((n) => primaryOf(loaded, n)).filter((a): a is string => a !== undefined))];
  const scenario = createScenario(opts.scenario, { seed, targets, ...(opts.spanMs !== undefined ? { spanMs: opts.spanMs } : {}) });

  const clock = new SimulatedClock(DRILL_EPOCH);
  const outputs = new Map(names.map((n) => [n, loaded.workflows.get(n)!.outputSchema] as const));
  const agents = new FaultyAgents({
    schedule: scenario.schedule,
    clock,
    outputFor: (req) => {
      const schema = outputs.get(req.workflow);
      return schema ? minimalValue(schema) : { agent: req.agent, summary: `drill answer from ${req.agent}` };
    },
  });
  const engine = await createEngine({
    config: loaded,
    store: new MemoryStore(),
    clock,
    random: mulberry32(hashSeed(seed, 'engine')),
    logger: silentLogger,
    env: {},
    adapterFor: (id, ctx) => agents.adapter(id, ctx),
    // Its recovery ladders restart processes, run commands and call webhooks: real things.
    supervisor: false,
    // Nothing to purge in a store that lives for one drill, and its timer would keep the clock
    // from telling a stalled drill apart.
    retention: false,
    mode: 'local',
  });

  const escalations = severities();
  const opened = new Map<string, number>();
  const ended: Task[] = [];
  engine.on('escalation', (e) => escalations[e.severity]++);
  engine.on('circuit', (e) => e.to === 'open' && opened.set(e.agent, (opened.get(e.agent) ?? 0) + 1));
  // A run's step tasks end too; the report counts what was submitted: the run, once.
  engine.on('taskEnded', (t) => t.parentId === undefined && ended.push(t));

  const refused = new Map<string, { count: number; reason: string }>();
  const pending = new Set<Promise<unknown>>();
  let accepted = 0;
  let submitted = 0;
  const total = perWorkflow * names.length;
  const inputs = new Map(
    names.map((n) => [
      n,
      opts.inputs && n in opts.inputs ? opts.inputs[n] : minimalValue(loaded.workflows.get(n)!.inputSchema ?? { type: 'object' }),
    ]),
  );
  const submit = (name: string) => {
    const p = engine.submit(name, inputs.get(name)).then(
      () => void accepted++,
      (err: unknown) => {
        const r = refused.get(name) ?? { count: 0, reason: err instanceof Error ? err.message : String(err) };
        r.count++;
        refused.set(name, r);
      },
    );
    pending.add(p);
    void p.finally(() => {
      submitted++;
      pending.delete(p);
    });
  };
  // Arrivals interleave the workflows evenly over the span. One clock timer at a time: the
  // simulated clock scans its timers on every firing, so thousands armed at once cost n².
  let next = 0;
  const arrivalAt = (k: number) => DRILL_EPOCH + Math.floor((k * scenario.spanMs) / total);
  const arrive = () => {
    while (next < total && arrivalAt(next) <= clock.now()) submit(names[next++ % names.length]!);
    if (next < total) clock.setTimeout(arrive, arrivalAt(next) - clock.now());
  };
  try {
    arrive();
    await driveUntil(
      clock,
      engine,
      pending,
      () => submitted === total && ended.length === accepted,
      DRILL_EPOCH + scenario.spanMs + MAX_OVERRUN_MS,
    );
    const records = severities();
    for (const e of await engine.store.listEscalations({ limit: Number.MAX_SAFE_INTEGER })) records[e.severity]++;
    const lastEnd = ended.reduce((m, t) => Math.max(m, Date.parse(t.updatedAt)), DRILL_EPOCH);
    const calls = agents.stats();
    return {
      scenario: scenario.name,
      description: scenario.description,
      seed,
      tasksPerWorkflow: perWorkflow,
      spanMs: scenario.spanMs,
      faultWindow: scenario.faultWindow,
      targets: [...scenario.targets],
      simulatedMs: lastEnd - DRILL_EPOCH,
      workflows: Object.fromEntries(
        names.map((n) => [
          n,
          workflowReport(
            ended.filter((t) => t.workflow === n),
            refused.get(n),
          ),
        ]),
      ),
      agents: Object.fromEntries(
        Object.keys(loaded.config.agents)
          .sort()
          .map((id) => [
            id,
            { ...(calls[id] ?? { calls: 0, ok: 0, failed: 0, aborted: 0, faulted: 0 }), circuitOpened: opened.get(id) ?? 0 },
          ]),
      ),
      escalations,
      escalationRecords: records,
      retryAfter: agents.retryAfter(),
    };
  } finally {
    await engine.stop({ drainTimeoutMs: 0 });
  }
}

/**
 * Drives `clock` until `done()`: lets the engine settle (every queued step committed), and only
 * then jumps to the next timer, so no real time is spent waiting on a backoff, a breaker or an agent.
 * @internal
 */
export async function driveUntil(
  clock: SimulatedClock,
  engine: Pick<Engine, 'settled'>,
  pending: ReadonlySet<Promise<unknown>>,
  done: () => boolean,
  limitAt: number,
): Promise<void> {
  for (let idle = 0; ; ) {
    await settle(engine, pending);
    if (done()) return;
    if (clock.now() > limitAt) throw new Error(`the drill did not finish within ${MAX_OVERRUN_MS / 3_600_000} h of simulated time`);
    if (clock.next()) idle = 0;
    else if (++idle > 1_000) throw new Error('the drill stalled: tasks are unfinished and nothing is scheduled');
    else await new Promise((r) => setTimeout(r, 1)); // a degrader module or the like, working in real time
  }
}

async function settle(engine: Pick<Engine, 'settled'>, pending: ReadonlySet<Promise<unknown>>): Promise<void> {
  do {
    await new Promise((r) => setImmediate(r));
    if (pending.size) await Promise.all(pending);
    await engine.settled();
  } while (pending.size);
}

/** The user's config, made safe to drill: stand-in adapters (never called), log-only channels, a memory store. */
function drillConfig(loaded: LoadedConfig): LoadedConfig {
  const { config } = loaded;
  const standIn: AgentConfig['adapter'] = {
    type: 'simulated',
    latencyMs: [0, 0],
    failureRate: 0,
    failStatus: 503,
    permanentFailureRate: 0,
  };
  const agents: Record<string, AgentConfig> = {};
  for (const [id, agent] of Object.entries(config.agents)) agents[id] = { ...agent, adapter: standIn };
  const channels = Object.fromEntries(Object.keys(config.escalation.channels).map((name) => [name, { type: 'log' as const }]));
  return { ...loaded, config: { ...config, agents, escalation: { ...config.escalation, channels }, store: 'memory:' } };
}

function primaryOf(loaded: LoadedConfig, workflow: string): string | undefined {
  const wf = loaded.workflows.get(workflow)!;
  if (wf.agent !== undefined) return wf.agent;
  return Object.entries(loaded.config.agents).find(([, a]) => a.capabilities.includes(wf.capability!))?.[0];
}

function workflowReport(tasks: Task[], refused: { count: number; reason: string } | undefined): WorkflowDrillReport {
  const count = (s: string) => tasks.filter((t) => t.status === s).length;
  const n = tasks.length;
  const rate = (k: number) => (n ? k / n : 0);
  const latencies = tasks.map((t) => Date.parse(t.updatedAt) - Date.parse(t.createdAt)).sort((a, b) => a - b);
  const [completed, degraded, failed, cancelled] = [count('completed'), count('degraded'), count('failed'), count('cancelled')];
  return {
    tasks: n,
    completed,
    degraded,
    failed,
    cancelled,
    successRate: rate(completed),
    degradedRate: rate(degraded),
    failedRate: rate(failed),
    latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
    ...(refused ? { refused } : {}),
  };
}

/** The `q` quantile of sorted numbers (nearest rank); 0 for none. @internal */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const severities = (): Record<Severity, number> => ({ low: 0, medium: 0, high: 0, critical: 0 });
