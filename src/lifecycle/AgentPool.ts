import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/index.js';
import type { AgentConfig } from '../config/index.js';
import { Bulkhead, CircuitBreaker } from '../policies/index.js';
import type { SkipInfo } from './taskMachine.js';

/** What the supervisor says of an agent. `unknown` until a check has run. */
export type HealthStatus = 'healthy' | 'unhealthy' | 'unknown';

/** The live, per-agent policies the engine routes through. */
export interface AgentSlot {
  readonly id: string;
  readonly config: AgentConfig;
  /** Replaced, not mutated, when another worker's breaker state is adopted. */
  breaker: CircuitBreaker;
  readonly bulkhead: Bulkhead;
  health: HealthStatus;
  /** Set by the `drain` recovery strategy: routing passes the agent over while true. */
  drained: boolean;
  /**
   * Until when the agent asked not to be called (its last Retry-After), in clock ms. Retry-After
   * is addressed to the client, not to one task: every task leaves the agent alone until then.
   */
  holdUntil: number;
  /** Recent outcomes for the agents view and passive health: [at, ok, latencyMs]. */
  recent: [number, boolean, number][];
}

/** The agents view of CONTRACT.md section 4. */
export interface AgentView {
  id: string;
  capabilities: string[];
  circuit: { state: 'closed' | 'open' | 'half-open'; openUntil?: string };
  health: { status: HealthStatus };
  inFlight: number;
  queued: number;
  maxConcurrency: number;
  recentErrorRate: number;
  drained?: boolean;
}

export interface AgentPoolEvents {
  circuit: (agent: string, from: string, to: string, snapshot: unknown) => void;
}

const RECENT = 50;

/**
 * The engine's per-agent state: one circuit breaker, one bulkhead and a health flag each,
 * plus the routing rule that reads them.
 * @internal
 */
export class AgentPool extends EventEmitter<AgentPoolEvents> {
  readonly #slots = new Map<string, AgentSlot>();

  readonly #clock: Clock;

  constructor(agents: Record<string, AgentConfig>, clock: Clock, breakerState: Map<string, unknown> = new Map()) {
    super();
    this.#clock = clock;
    for (const [id, config] of Object.entries(agents)) {
      const breaker = this.#breaker(id, config, breakerState.get(id));
      this.#slots.set(id, {
        id,
        config,
        breaker,
        bulkhead: new Bulkhead({ maxConcurrency: config.maxConcurrency, maxQueue: config.maxQueue }),
        health: 'unknown',
        drained: false,
        holdUntil: 0,
        recent: [],
      });
    }
  }

  #breaker(id: string, config: AgentConfig, snapshot: unknown): CircuitBreaker {
    const breaker = new CircuitBreaker(config.circuitBreaker, this.#clock, snapshot as never);
    breaker.onStateChange((from, to, snap) => {
      try {
        this.emit('circuit', id, from, to, snap);
      } catch {
        // a throwing listener must never break routing
      }
    });
    return breaker;
  }

  /**
   * Takes over breaker state written by another worker (distributed mode). Nothing is saved
   * back, so adopting never echoes. Returns the adopted state, or undefined when this worker
   * already had it (or knows no such agent).
   */
  adopt(id: string, snapshot: unknown): CircuitBreaker['state'] | undefined {
    const slot = this.#slots.get(id);
    if (!slot || JSON.stringify(slot.breaker.toJSON()) === JSON.stringify(snapshot)) return undefined;
    slot.breaker = this.#breaker(id, slot.config, snapshot);
    return slot.breaker.state;
  }

  get(id: string): AgentSlot | undefined {
    return this.#slots.get(id);
  }

  ids(): string[] {
    return [...this.#slots.keys()];
  }

  /**
   * The first agent of `plan` after `fromIndex` that can take work, and why each one before it
   * could not. Skipping spends no attempt.
   */
  route(plan: readonly string[], fromIndex: number): { index: number; skipped: SkipInfo[] } {
    const skipped: SkipInfo[] = [];
    let held = -1;
    for (let i = fromIndex + 1; i < plan.length; i++) {
      const agent = plan[i]!;
      const slot = this.#slots.get(agent);
      if (!slot) skipped.push({ agent, reason: 'unknown-agent' });
      else if (slot.health === 'unhealthy' || slot.drained) skipped.push({ agent, reason: 'unhealthy' });
      else if (slot.breaker.state === 'open') skipped.push({ agent, reason: 'circuit-open' });
      else if (slot.holdUntil > this.#clock.now()) {
        skipped.push({ agent, reason: 'rate-limited' });
        if (held < 0) held = i;
      } else if (slot.bulkhead.isFull()) skipped.push({ agent, reason: 'bulkhead-full' });
      else return { index: i, skipped };
    }
    // No agent is free, but one only asked to wait: take it, and the attempt waits out its Retry-After.
    if (held >= 0) return { index: held, skipped: skipped.filter((x) => x.agent !== plan[held]) };
    return { index: -1, skipped };
  }

  /** The agent asked not to be called for `ms` (a Retry-After): hold it until then. */
  hold(id: string, ms: number): void {
    const slot = this.#slots.get(id);
    if (slot) slot.holdUntil = Math.max(slot.holdUntil, this.#clock.now() + ms);
  }

  /** Notes an attempt's outcome for the recent error rate. */
  note(id: string, at: number, ok: boolean, latencyMs: number): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    slot.recent.push([at, ok, latencyMs]);
    if (slot.recent.length > RECENT) slot.recent.shift();
  }

  view(id: string): AgentView | undefined {
    const s = this.#slots.get(id);
    if (!s) return undefined;
    const failed = s.recent.reduce((n, r) => n + (r[1] ? 0 : 1), 0);
    const openUntil = s.breaker.openUntil;
    return {
      id,
      capabilities: [...s.config.capabilities],
      circuit: {
        state: s.breaker.state,
        ...(openUntil !== undefined && s.breaker.state === 'open' ? { openUntil: new Date(openUntil).toISOString() } : {}),
      },
      health: { status: s.health },
      inFlight: s.bulkhead.inFlight,
      queued: s.bulkhead.queued,
      maxConcurrency: s.bulkhead.limit,
      recentErrorRate: s.recent.length ? failed / s.recent.length : 0,
      ...(s.drained ? { drained: true } : {}),
    };
  }

  views(): AgentView[] {
    return this.ids().map((id) => this.view(id)!);
  }
}
