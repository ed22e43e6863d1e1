/**
 * The supervisor: it watches the components its host has, feeds each one's machine, and acts on
 * the states they enter.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { iso } from '../clock/iso.js';
import type { StrategyName } from '../config/index.js';
import { emitSafely } from '../lifecycle/emitSafely.js';
import { buildComponents } from './buildComponents.js';
import { describeFailure } from './checks/HealthCheck.js';
import type { Component } from './Component.js';
import { ComponentRecords } from './ComponentRecords.js';
import { summarize, statusOf } from './healthSummary.js';
import type { ManagedProcess } from './ManagedProcess.js';
import { RecoveryRunner } from './RecoveryRunner.js';
import { runWithin } from './runWithin.js';
import { builtinStrategies } from './strategies/registry.js';
import type { RecoveryStrategy } from './strategies/Strategy.js';
import { readinessOf, type SupervisorEvent } from './SupervisorMachine.js';
import type { SupervisorHost } from './SupervisorHost.js';
import { incidentFor, incidentKey } from './incidentFor.js';
import type { ComponentView, HealthSummary, SupervisorEvents, SupervisorTransition } from './types.js';

/** Options for {@link Supervisor}. */
export interface SupervisorOptions {
  /** Where `headersEnv` and `inheritEnv` values are read. Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Strategies that replace built-in ones of the same name (for tests and embedders). Defaults to none. */
  strategies?: Partial<Record<StrategyName, RecoveryStrategy>>;
}

/** Options for {@link Supervisor.stop}. */
export interface SupervisorStopOptions {
  /** How long managed agents may finish the calls in flight before they are stopped. Defaults to 30 s. */
  drainTimeoutMs?: number;
}

/** The longest `settled()` waits in real time for a check or strategy that does not finish. */
const SETTLE_CAP_MS = 5_000;

/**
 * Watches every agent that has a `healthCheck` or a managed `process`, and the engine itself
 * (event loop, heap, store, escalation channels, queue), and heals what it can.
 *
 * Each component has a pure supervisor machine (healthy → suspect → unhealthy → recovering →
 * verifying → healthy, or escalated; failed when a managed process exceeds its restart intensity).
 * The supervisor runs the checks on the injected clock, feeds their verdicts to the machine, and
 * acts on the states it enters: it sets the agent's readiness for routing, runs the recovery
 * ladder one strategy at a time, verifies each, and escalates, with the health history, every
 * strategy tried and the transitions, when none works. Back to healthy, the incident is resolved.
 *
 * It knows its surroundings only through a {@link SupervisorHost}; the runtime builds one from
 * the engine, and owns when the supervisor starts and stops.
 *
 * @example
 * const engine = await createEngine({ configPath: './agents.config.json' }); // starts one
 * engine.supervisor?.on('transition', (t) => console.log(t.component, t.from, '→', t.to));
 * engine.supervisor?.healthSummary(); // { status: 'healthy', components: [...] }
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #host: SupervisorHost;
  readonly #env: Record<string, string | undefined>;
  readonly #components = new Map<string, Component>();
  readonly #abort = new AbortController();
  readonly #cacheClearers = new Set<() => void | Promise<void>>();
  readonly #records: ComponentRecords;
  readonly #recovery: RecoveryRunner;
  #started = false;
  #stopped = false;

  constructor(host: SupervisorHost, opts: SupervisorOptions = {}) {
    super();
    this.#host = host;
    this.#env = opts.env ?? process.env;
    this.#records = new ComponentRecords(host.store, (err) => this.#report(err));
    this.#recovery = new RecoveryRunner({
      host,
      strategies: { ...builtinStrategies, ...opts.strategies },
      env: this.#env,
      cacheClearers: this.#cacheClearers,
      stop: this.#abort.signal,
    });
  }

  /**
   * Builds the components, starts the managed processes and the checks. Agents' first checks run
   * at once, except for managed agents, whose first look waits for the process to start (a
   * liveness check) or one `intervalMs` (a probe). The channels are verified at once too, so an
   * escalation channel that cannot be reached shows from the start, not `channelsIntervalMs` in
   * (a verification of the same channel already in flight, as `warden serve` starts one, is shared).
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    for (const c of buildComponents(this.#host, this.#env, this.#host.clock.now())) this.#components.set(c.name, c);
    await this.#records.restore(this.#components);

    for (const c of this.#components.values()) {
      if (c.process) {
        this.#watchProcess(c, c.process);
        c.process.start();
        if (c.check.type !== 'process') this.#schedule(c, c.timing.intervalMs);
      } else this.#runCheck(c);
    }
    this.#host.logger.info({ components: [...this.#components.keys()] }, `supervisor watching ${this.#components.size} component(s)`);
  }

  /**
   * Stops checking and recovering, lets managed agents finish their calls in flight (up to
   * `drainTimeoutMs` of real time), then stops their processes (SIGTERM, then SIGKILL).
   */
  async stop(opts: SupervisorStopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort(new Error('supervisor stopping'));
    for (const c of this.#components.values()) if (c.timer) this.#host.clock.clearTimeout(c.timer);
    const managed = [...this.#components.values()].filter((c) => c.process);
    // Real time, as the engine's own drain: shutting down is about the process's wall-clock exit.
    const deadline = Date.now() + (opts.drainTimeoutMs ?? 30_000);
    while (Date.now() < deadline && managed.some((c) => (c.slot?.bulkhead.inFlight ?? 0) > 0)) await new Promise((r) => setTimeout(r, 10));
    await Promise.allSettled(managed.map((c) => c.process!.stop()));
    await Promise.allSettled([...this.#components.values()].flatMap((c) => [...c.inFlight, c.incidents]));
    await this.#records.flushed();
    for (const c of this.#components.values()) c.stop();
  }

  /**
   * Resolves once no check, strategy or escalation of any component is in flight, except work
   * that waits on the clock (a managed process's pending restart); gives up waiting after 5 s of
   * real time. With `engine.settled()`, what tests on a simulated clock wait on before moving time.
   */
  async settled(): Promise<void> {
    const cap = Date.now() + SETTLE_CAP_MS;
    for (let quiet = 0; quiet < 2 && Date.now() < cap; ) {
      await new Promise((r) => setImmediate(r));
      const busy = [...this.#components.values()].filter((c) => c.process?.state !== 'backoff').flatMap((c) => [...c.inFlight]);
      if (!busy.length) {
        quiet++;
        continue;
      }
      quiet = 0;
      await Promise.race([Promise.allSettled(busy), new Promise((r) => setTimeout(r, 20))]);
    }
    await this.#records.flushed();
  }

  /** Every component, agents first, with its recent transitions (`limit`, newest last). */
  components(limit?: number): ComponentView[] {
    return [...this.#components.values()].map((c) => c.view(limit));
  }

  /** One component by name (`agent:x`, `system:heap`), or by bare agent id or check name when that is unambiguous. */
  component(name: string, limit?: number): ComponentView | undefined {
    return this.#find(name)?.view(limit);
  }

  /** A component's recorded transitions, oldest first. */
  transitions(name: string): SupervisorTransition[] {
    return this.#find(name)?.transitions.toArray() ?? [];
  }

  /** The managed process of an agent, if Warden runs it. */
  process(agent: string): ManagedProcess | undefined {
    return this.#components.get(`agent:${agent}`)?.process;
  }

  /** The supervisor's verdict and each component's status; `GET /api/health` lists the components. */
  healthSummary(): HealthSummary {
    return summarize(
      [...this.#components.values()].map((c) => ({
        name: c.name,
        kind: c.kind,
        status: statusOf(c.state),
        state: c.state,
        lastCheck: c.history.last() ?? null,
      })),
    );
  }

  /** Runs a component's check now instead of at its next interval. */
  checkNow(name: string): void {
    const c = this.#find(name);
    if (c) this.#runCheck(c);
  }

  /** Registers a cache the `clear-caches` strategy empties. Returns the function that unregisters it. */
  addCacheClearer(clear: () => void | Promise<void>): () => void {
    this.#cacheClearers.add(clear);
    return () => this.#cacheClearers.delete(clear);
  }

  // ---- checks ----

  #watchProcess(c: Component, proc: ManagedProcess): void {
    const now = () => this.#host.clock.now();
    proc.on('started', ({ pid }) => {
      this.#send(c, { type: 'STARTED', at: now(), graceMs: c.timing.startupGraceMs, detail: `pid ${pid}` });
      if (c.check.type === 'process' && c.state === 'starting') this.#runCheck(c);
    });
    proc.on('exited', (e) => {
      if (e.restartInMs !== undefined) this.#send(c, { type: 'EXITED', at: now(), detail: e.detail });
    });
    proc.on('failed', (e) => this.#send(c, { type: 'GIVE_UP', at: now(), detail: e.detail }));
  }

  #schedule(c: Component, delayMs: number): void {
    if (this.#stopped) return;
    const { clock } = this.#host;
    if (c.timer) clock.clearTimeout(c.timer);
    c.timer = clock.setTimeout(() => {
      c.timer = undefined;
      this.#runCheck(c);
    }, delayMs);
  }

  #runCheck(c: Component): void {
    if (this.#stopped) return;
    if (c.checking) {
      c.recheck = true;
      return;
    }
    const { clock } = this.#host;
    if (c.timer) clock.clearTimeout(c.timer);
    c.timer = undefined;
    c.checking = true;
    const work = (async () => {
      const result = await runWithin(clock, c.timing.timeoutMs, this.#abort.signal, (signal) => c.check.run(signal));
      if (this.#stopped) return;
      const at = clock.now();
      const detail = result.detail !== undefined ? { detail: result.detail } : {};
      const rec = {
        at: iso(at),
        ok: result.ok,
        ...detail,
        ...('value' in result && result.value !== undefined ? { value: result.value } : {}),
      };
      c.history.push(rec);
      this.#emitSafe('check', c.name, rec);
      this.#send(c, { type: result.ok ? 'CHECK_OK' : 'CHECK_FAILED', at, ...detail });
    })().finally(() => {
      c.checking = false;
      if (this.#stopped) return;
      if (c.recheck) {
        c.recheck = false;
        this.#runCheck(c);
      } else if (!c.timer) this.#schedule(c, c.timing.intervalMs);
    });
    this.#track(c, work);
  }

  // ---- the machine and its effects ----

  #send(c: Component, event: SupervisorEvent): void {
    if (this.#stopped) return;
    const t = c.send(event);
    if (!t) return;
    if (c.slot) c.slot.health = readinessOf(t.to);
    this.#noteOutcome(c, t);
    this.#records.save(c, event.at);
    const log = this.#host.logger;
    const line = `${c.name}: ${t.from} → ${t.to} (${t.event}${t.strategy ? `, ${t.strategy}` : ''})${t.detail ? `: ${t.detail}` : ''}`;
    if (t.to === 'escalated' || t.to === 'failed') log.error({ component: c.name, transition: t }, line);
    else if (t.to === 'healthy') log.info({ component: c.name, transition: t }, line);
    else log.warn({ component: c.name, transition: t }, line);
    this.#emitSafe('transition', t);

    switch (t.to) {
      case 'unhealthy':
        return this.#send(c, { type: 'RECOVER', at: event.at });
      case 'recovering':
        if (c.context.auto) {
          c.tried.push({
            strategy: 'restart-process',
            index: -1,
            startedAt: t.at,
            detail: `automatic: ${t.detail ?? 'the process exited'}`,
          });
        } else
          this.#track(
            c,
            this.#recovery.run(c, c.context.index).then((e) => e && this.#send(c, e)),
          );
        return;
      case 'verifying':
        if (event.type === 'RECOVERY_OK' || c.check.type === 'process') this.#runCheck(c);
        return;
      case 'healthy':
        return this.#healed(c);
      case 'escalated':
        return this.#escalate(c, c.tried.length ? 'RECOVERY_FAILED' : 'COMPONENT_UNHEALTHY', t.detail);
      case 'failed':
        return this.#escalate(c, 'RESTART_INTENSITY_EXCEEDED', t.detail);
    }
  }

  /** Completes the episode's record of strategies: the automatic restart's outcome, and whether a strategy's fix held. */
  #noteOutcome(c: Component, t: SupervisorTransition): void {
    const last = c.tried.at(-1);
    if (!last) return;
    if (t.from === 'recovering' && t.event === 'STARTED' && last.index === -1)
      Object.assign(last, { endedAt: t.at, ok: true, detail: `${last.detail}; restarted (${t.detail ?? ''})` });
    if (t.from === 'verifying') last.verified = t.to === 'healthy';
  }

  /** Back to healthy: undo what the strategies changed, resolve the incident, start a fresh episode. */
  #healed(c: Component): void {
    for (const undo of c.undo.splice(0).reverse()) {
      try {
        void Promise.resolve(undo()).catch((err) => this.#report(err));
      } catch (err) {
        this.#report(err);
      }
    }
    c.tried = [];
    if (!c.incidentOpen) return;
    c.incidentOpen = false;
    this.#records.save(c, this.#host.clock.now());
    this.#incident(c, async () => {
      await this.#host.escalations.resolveIncident(incidentKey(c));
    });
  }

  /** Opens one incident per episode: the first escalated or failed state raises it, later ones do not. */
  #escalate(c: Component, code: string, why: string | undefined): void {
    if (c.incidentOpen) return;
    c.incidentOpen = true;
    this.#records.save(c, this.#host.clock.now());
    const input = incidentFor(c, code, why);
    this.#incident(c, async () => {
      await this.#host.escalations.raiseIncident(input);
    });
  }

  /** Incidents of a component are raised and resolved in order, so a quick recovery can't overtake its raise. */
  #incident(c: Component, op: () => Promise<void>): void {
    c.incidents = c.incidents.then(op).catch((err) => this.#report(err));
    this.#track(c, c.incidents);
  }

  // ---- bookkeeping ----

  #track(c: Component, work: Promise<unknown>): void {
    const p = work.catch((err) => this.#report(err));
    c.inFlight.add(p);
    void p.finally(() => c.inFlight.delete(p));
  }

  #find(name: string): Component | undefined {
    return this.#components.get(name) ?? this.#components.get(`agent:${name}`) ?? this.#components.get(`system:${name}`);
  }

  #emitSafe<E extends keyof SupervisorEvents>(event: E, ...args: Parameters<SupervisorEvents[E]>): void {
    emitSafely(this as unknown as EventEmitter, event, args, (err) => this.#report(err));
  }

  #report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.#emitSafe('error', err);
    else this.#host.logger.error({ err: describeFailure(err) }, 'supervisor: a step failed');
  }
}
