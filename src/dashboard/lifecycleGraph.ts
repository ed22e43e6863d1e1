import { FINAL_STATES, TASK_STATES, taskMachine } from '../lifecycle/taskMachine.js';

/** One arrow of the lifecycle diagram: every event that moves a task from `from` to `to`. */
export interface LifecycleEdge {
  readonly from: string;
  readonly to: string;
  /** The events that take this arrow, in the order the machine lists them. */
  readonly events: readonly string[];
  /**
   * True when every event of the arrow leads to `to` from most live states (CANCEL, DEADLINE):
   * the dashboard draws these faintly so the main path stays readable.
   */
  readonly broad: boolean;
}

/** The task lifecycle as the dashboard draws it. */
export interface LifecycleGraph {
  readonly initial: string;
  readonly states: readonly { readonly name: string; readonly final: boolean }[];
  readonly edges: readonly LifecycleEdge[];
}

/** How many source states an event must reach one target from to count as broad. */
const BROAD_SOURCES = 4;

/** The targets a transition config names: `'x'`, `{ target }`, or an array of guarded candidates. */
function targetsOf(config: unknown): string[] {
  if (typeof config === 'string') return [config];
  if (Array.isArray(config)) return config.flatMap(targetsOf);
  if (config && typeof config === 'object' && 'target' in config) return targetsOf((config as { target: unknown }).target);
  return [];
}

// Root-level targets are written `.cancelled` (a child of the root).
const stateName = (target: string) => target.replace(/^\./, '');

/**
 * Reads the arrows out of {@link taskMachine}'s own config, so the diagram can never drift from
 * the statechart the engine runs. Root-level `on` (CANCEL) applies to every non-final state.
 */
export function lifecycleGraph(): LifecycleGraph {
  const config = taskMachine.config as {
    initial?: unknown;
    on?: Record<string, unknown>;
    states?: Record<string, { on?: Record<string, unknown> }>;
  };
  const states = Object.keys(config.states ?? {});
  const ordered = [
    ...TASK_STATES.filter((s) => states.includes(s)),
    ...states.filter((s) => !(TASK_STATES as readonly string[]).includes(s)),
  ];

  const raw: { from: string; to: string; event: string }[] = [];
  for (const from of ordered) {
    const own = Object.entries(config.states?.[from]?.on ?? {});
    const inherited = FINAL_STATES.has(from) ? [] : Object.entries(config.on ?? {});
    for (const [event, t] of [...own, ...inherited]) {
      for (const to of new Set(targetsOf(t).map(stateName))) raw.push({ from, to, event });
    }
  }

  const sources = new Map<string, Set<string>>();
  for (const r of raw) {
    const key = `${r.event}>${r.to}`;
    sources.set(key, (sources.get(key) ?? new Set()).add(r.from));
  }
  const isBroad = (event: string, to: string) => (sources.get(`${event}>${to}`)?.size ?? 0) >= BROAD_SOURCES;

  const edges = new Map<string, { from: string; to: string; events: string[] }>();
  for (const r of raw) {
    const key = `${r.from}>${r.to}`;
    const edge = edges.get(key) ?? { from: r.from, to: r.to, events: [] };
    if (!edge.events.includes(r.event)) edge.events.push(r.event);
    edges.set(key, edge);
  }

  return {
    initial: typeof config.initial === 'string' ? config.initial : (ordered[0] ?? 'queued'),
    states: ordered.map((name) => ({ name, final: FINAL_STATES.has(name) })),
    edges: [...edges.values()].map((e) => ({ ...e, broad: e.events.every((ev) => isBroad(ev, e.to)) })),
  };
}
