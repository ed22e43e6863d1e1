import { createActor, type Actor } from 'xstate';
import type { TimerHandle } from '../clock/index.js';
import type { RecoveryStep } from '../config/index.js';
import type { Severity } from '../errors/index.js';
import type { AgentSlot } from '../lifecycle/AgentPool.js';
import type { HealthCheck, CheckTiming } from './checks/HealthCheck.js';
import type { ManagedProcess } from './ManagedProcess.js';
import { RingBuffer } from './RingBuffer.js';
import { readinessOf, supervisorMachine, type SupervisorContext, type SupervisorEvent, type SupervisorState } from './SupervisorMachine.js';
import type { CheckRecord, ComponentKind, ComponentView, StrategyOutcome, SupervisorTransition } from './types.js';
import { iso } from '../clock/iso.js';

/** What a component is built from. @internal */
export interface ComponentSpec {
  name: string;
  kind: ComponentKind;
  agent?: string;
  check: HealthCheck;
  timing: CheckTiming;
  ladder: readonly RecoveryStep[];
  severity: Severity;
  slot?: AgentSlot;
  process?: ManagedProcess;
  historySize: number;
  /** When the component starts being watched (ms): the startup grace runs from here. */
  startedAt: number;
}

/** What is persisted of a component between runs: its history, not its state. @internal */
export interface ComponentRecord {
  seq: number;
  transitions: SupervisorTransition[];
  incidentOpen: boolean;
}

/**
 * One supervised component: its check, its machine, its recovery ladder and its memory of
 * transitions and check results. It records what the machine does; the supervisor acts on it.
 * @internal
 */
export class Component {
  readonly name: string;
  readonly kind: ComponentKind;
  readonly agent: string | undefined;
  readonly check: HealthCheck;
  readonly timing: CheckTiming;
  readonly ladder: readonly RecoveryStep[];
  readonly severity: Severity;
  readonly slot: AgentSlot | undefined;
  readonly process: ManagedProcess | undefined;
  readonly transitions: RingBuffer<SupervisorTransition>;
  readonly history: RingBuffer<CheckRecord>;
  readonly #actor: Actor<typeof supervisorMachine>;
  #seq = 0;
  /** The periodic check's timer. */
  timer: TimerHandle | undefined;
  /** A check is running; `recheck` asks for another as soon as it ends. */
  checking = false;
  recheck = false;
  /** Strategies tried since the component was last healthy. */
  tried: StrategyOutcome[] = [];
  /** What to restore once healthy again, in the order applied. */
  undo: (() => void | Promise<void>)[] = [];
  /** Whether an incident is open for it; raising and resolving go through `incidents` in order. */
  incidentOpen = false;
  incidents: Promise<void> = Promise.resolve();
  /** Work in flight (checks, strategies), for `settled()`. */
  readonly inFlight = new Set<Promise<unknown>>();

  constructor(spec: ComponentSpec) {
    this.name = spec.name;
    this.kind = spec.kind;
    this.agent = spec.agent;
    this.check = spec.check;
    this.timing = spec.timing;
    this.ladder = spec.ladder;
    this.severity = spec.severity;
    this.slot = spec.slot;
    this.process = spec.process;
    this.transitions = new RingBuffer(spec.historySize);
    this.history = new RingBuffer(spec.historySize);
    this.#actor = createActor(supervisorMachine, {
      input: {
        failureThreshold: spec.timing.failureThreshold,
        successThreshold: spec.timing.successThreshold,
        strategies: spec.ladder.length,
        graceUntil: spec.startedAt + spec.timing.startupGraceMs,
      },
    });
    this.#actor.start();
  }

  get state(): SupervisorState {
    return this.#actor.getSnapshot().value as SupervisorState;
  }

  get context(): SupervisorContext {
    return this.#actor.getSnapshot().context;
  }

  /** The strategy in use while recovering or verifying: a ladder rung, or the automatic restart. */
  get strategy(): string | undefined {
    const { index, auto } = this.context;
    if (auto) return 'restart-process';
    return index >= 0 ? this.ladder[index]?.strategy : undefined;
  }

  /** Picks up the history of an earlier run. */
  restore(rec: ComponentRecord): void {
    this.#seq = rec.seq;
    for (const t of rec.transitions) this.transitions.push(t);
    this.incidentOpen = rec.incidentOpen;
  }

  /** What to persist. */
  record(keep: number): ComponentRecord {
    return { seq: this.#seq, transitions: this.transitions.toArray(keep), incidentOpen: this.incidentOpen };
  }

  /**
   * Feeds the machine an event. Returns the transition when the state (or the strategy in use)
   * changed, recorded; undefined when the event changed nothing worth recording.
   */
  send(event: SupervisorEvent): SupervisorTransition | undefined {
    const from = this.state;
    const before = this.context;
    const strategyBefore = this.strategy;
    this.#actor.send(event);
    const to = this.state;
    const after = this.context;
    if (from === to && before.index === after.index && before.auto === after.auto) return undefined;
    // The strategy a transition is about: the one it starts, or the one whose outcome it reports.
    const strategy = to === 'recovering' ? this.strategy : from === 'recovering' || from === 'verifying' ? strategyBefore : undefined;
    const t: SupervisorTransition = {
      seq: ++this.#seq,
      at: iso(event.at),
      component: this.name,
      from,
      to,
      event: event.type,
      ...(strategy !== undefined ? { strategy } : {}),
      ...('detail' in event && event.detail !== undefined ? { detail: event.detail } : {}),
    };
    this.transitions.push(t);
    return t;
  }

  /** The API's view. */
  view(limit?: number): ComponentView {
    const { index } = this.context;
    const recovering = this.state === 'recovering' || this.state === 'verifying';
    const p = this.process;
    return {
      name: this.name,
      kind: this.kind,
      ...(this.agent !== undefined ? { agent: this.agent } : {}),
      check: this.check.type,
      state: this.state,
      health: readinessOf(this.state),
      lastCheck: this.history.last() ?? null,
      ...(recovering && index >= 0 ? { strategyIndex: index } : {}),
      ...(recovering && this.strategy !== undefined ? { strategy: this.strategy } : {}),
      ...(p
        ? {
            process: {
              state: p.state,
              ...(p.pid !== undefined ? { pid: p.pid } : {}),
              restarts: p.restarts.length,
              ...(p.nextRestartAt !== undefined ? { nextRestartAt: iso(p.nextRestartAt) } : {}),
            },
          }
        : {}),
      transitions: this.transitions.toArray(limit),
    };
  }

  stop(): void {
    this.#actor.stop();
    this.check.close?.();
  }
}
