import { EventEmitter } from 'eventemitter3';
import { emitSafely } from '../lifecycle/emitSafely.js';
import type { AgentConfig, RecoveryStep, StrategyName, SupervisorConfig, SystemCheckName } from '../config/index.js';
import type { Engine } from '../lifecycle/Engine.js';
import type { Transition } from '../lifecycle/types.js';
import type { Store } from '../store/Store.js';
import { attemptSignal } from '../policies/index.js';
import { channelsCheck } from './checks/channelsCheck.js';
import { commandCheck } from './checks/commandCheck.js';
import { eventLoopCheck } from './checks/eventLoopCheck.js';
import { describeFailure, type CheckResult, type CheckTiming, type HealthCheck } from './checks/HealthCheck.js';
import { heapCheck } from './checks/heapCheck.js';
import { httpCheck } from './checks/httpCheck.js';
import { passiveCheck } from './checks/passiveCheck.js';
import { processCheck } from './checks/processCheck.js';
import { queueCheck } from './checks/queueCheck.js';
import { storeCheck } from './checks/storeCheck.js';
import { Component, type ComponentRecord } from './Component.js';
import { summarize, statusOf } from './healthSummary.js';
import { ManagedProcess } from './ManagedProcess.js';
import { builtinStrategies } from './strategies/registry.js';
import type { RecoveryStrategy, StrategyResult } from './strategies/Strategy.js';
import { readinessOf, type SupervisorEvent } from './SupervisorMachine.js';
import type { ComponentView, HealthSummary, StrategyOutcome, SupervisorEvents, SupervisorTransition } from './types.js';
import { iso } from '../clock/iso.js';

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

/** The key under which a component's history is kept in the store's breaker table. */
const RECORD_PREFIX = '__supervisor__:';
/** Transitions persisted per component. */
const PERSISTED = 50;
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
 * @example
 * const engine = await createEngine({ configPath: './agents.config.json' }); // starts one
 * engine.supervisor?.on('transition', (t) => console.log(t.component, t.from, '→', t.to));
 * engine.supervisor?.healthSummary(); // { status: 'healthy', components: [...] }
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #engine: Engine;
  readonly #config: SupervisorConfig;
  readonly #env: Record<string, string | undefined>;
  readonly #strategies: Record<string, RecoveryStrategy>;
  readonly #components = new Map<string, Component>();
  readonly #abort = new AbortController();
  readonly #cacheClearers = new Set<() => void | Promise<void>>();
  #writes: Promise<unknown> = Promise.resolve();
  #started = false;
  #stopped = false;

  constructor(engine: Engine, opts: SupervisorOptions = {}) {
    super();
    this.#engine = engine;
    this.#config = engine.config.config.supervisor;
    this.#env = opts.env ?? process.env;
    this.#strategies = { ...builtinStrategies, ...opts.strategies };
  }

  /**
   * Builds the components, starts the managed processes and the checks. Agents' first checks run
   * at once, except for managed agents, whose first look waits for the process to start (a
   * liveness check) or one `intervalMs` (a probe). Slack and email channels are first verified
   * one `channelsIntervalMs` after start, so a start does not call them.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { config, configDir } = this.#engine.config;
    const now = this.#engine.clock.now();
    for (const [id, agent] of Object.entries(config.agents)) {
      if (!agent.healthCheck && !agent.process) continue;
      this.#add(this.#agentComponent(id, agent, configDir, now));
    }
    for (const check of this.#config.checks) this.#add(this.#systemComponent(check, now));
    await this.#restore();

    const remoteChannels = [...this.#engine.escalations.channels.values()].some((ch) => ch.type !== 'log');
    for (const c of this.#components.values()) {
      if (c.process) {
        this.#watchProcess(c, c.process);
        c.process.start();
        if (c.check.type !== 'process') this.#schedule(c, c.timing.intervalMs);
      } else if (c.check.type === 'channels' && remoteChannels) this.#schedule(c, c.timing.intervalMs);
      else this.#runCheck(c);
    }
    this.#engine.logger.info({ components: [...this.#components.keys()] }, `supervisor watching ${this.#components.size} component(s)`);
  }

  /**
   * Stops checking and recovering, lets managed agents finish their calls in flight (up to
   * `drainTimeoutMs` of real time), then stops their processes (SIGTERM, then SIGKILL).
   */
  async stop(opts: SupervisorStopOptions = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort(new Error('supervisor stopping'));
    for (const c of this.#components.values()) if (c.timer) this.#engine.clock.clearTimeout(c.timer);
    const managed = [...this.#components.values()].filter((c) => c.process);
    // Real time, as the engine's own drain: shutting down is about the process's wall-clock exit.
    const deadline = Date.now() + (opts.drainTimeoutMs ?? 30_000);
    while (Date.now() < deadline && managed.some((c) => (c.slot?.bulkhead.inFlight ?? 0) > 0)) await new Promise((r) => setTimeout(r, 10));
    await Promise.allSettled(managed.map((c) => c.process!.stop()));
    await Promise.allSettled([...this.#components.values()].flatMap((c) => [...c.inFlight, c.incidents]));
    await this.#writes.catch(() => {});
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
    await this.#writes.catch(() => {});
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

  /** What `GET /api/health` answers: the engine's status and each component's. */
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

  // ---- building ----

  #add(c: Component): void {
    this.#components.set(c.name, c);
  }

  #agentComponent(id: string, agent: AgentConfig, configDir: string, now: number): Component {
    const slot = this.#engine.agents.get(id);
    const hc = agent.healthCheck;
    const proc = agent.process
      ? new ManagedProcess({ id, config: agent.process, configDir, env: this.#env, clock: this.#engine.clock, logger: this.#engine.logger })
      : undefined;
    let check: HealthCheck;
    let timing: CheckTiming;
    if (hc) {
      timing = {
        intervalMs: hc.intervalMs,
        timeoutMs: hc.timeoutMs,
        failureThreshold: hc.failureThreshold,
        successThreshold: hc.successThreshold,
        startupGraceMs: hc.startupGraceMs,
      };
      if (hc.type === 'http') check = httpCheck(hc.url);
      else if (hc.type === 'command') check = commandCheck(hc.command, hc.args, configDir);
      else check = passiveCheck(slot!, this.#engine.clock, hc);
    } else {
      // A managed agent without a probe is judged by whether its program runs.
      check = processCheck(proc!);
      timing = {
        intervalMs: this.#config.intervalMs,
        timeoutMs: this.#config.timeoutMs,
        failureThreshold: 1,
        successThreshold: 1,
        startupGraceMs: 0,
      };
    }
    const ladder: readonly RecoveryStep[] = agent.recovery ?? (proc ? [{ strategy: 'restart-process' }] : []);
    return new Component({
      name: `agent:${id}`,
      kind: 'agent',
      agent: id,
      check,
      timing,
      ladder,
      severity: agent.escalateSeverity,
      ...(slot ? { slot } : {}),
      ...(proc ? { process: proc } : {}),
      historySize: this.#config.historySize,
      startedAt: now,
    });
  }

  #systemComponent(name: SystemCheckName, now: number): Component {
    const cfg = this.#config;
    const { store, clock, agents, escalations } = this.#engine;
    const check: HealthCheck =
      name === 'event-loop'
        ? eventLoopCheck(cfg.eventLoopDelayMs)
        : name === 'heap'
          ? heapCheck({ usedRatio: cfg.heapUsedRatio, limitBytes: cfg.heapLimitBytes })
          : name === 'store'
            ? storeCheck(store, clock)
            : name === 'channels'
              ? channelsCheck(escalations, clock, cfg.channelsIntervalMs)
              : queueCheck(store, agents, clock, cfg.maxQueueAgeMs);
    return new Component({
      name: `system:${name}`,
      kind: 'system',
      check,
      timing: {
        intervalMs: name === 'channels' ? cfg.channelsIntervalMs : cfg.intervalMs,
        timeoutMs: cfg.timeoutMs,
        failureThreshold: cfg.failureThreshold,
        successThreshold: cfg.successThreshold,
        startupGraceMs: 0,
      },
      ladder: cfg.recovery[name],
      severity: cfg.escalateSeverity,
      historySize: cfg.historySize,
      startedAt: now,
    });
  }

  #watchProcess(c: Component, proc: ManagedProcess): void {
    const now = () => this.#engine.clock.now();
    proc.on('started', ({ pid }) => {
      this.#send(c, { type: 'STARTED', at: now(), graceMs: c.timing.startupGraceMs, detail: `pid ${pid}` });
      if (c.check.type === 'process' && c.state === 'starting') this.#runCheck(c);
    });
    proc.on('exited', (e) => {
      if (e.restartInMs !== undefined) this.#send(c, { type: 'EXITED', at: now(), detail: e.detail });
    });
    proc.on('failed', (e) => this.#send(c, { type: 'GIVE_UP', at: now(), detail: e.detail }));
  }

  // ---- checks ----

  #schedule(c: Component, delayMs: number): void {
    if (this.#stopped) return;
    if (c.timer) this.#engine.clock.clearTimeout(c.timer);
    c.timer = this.#engine.clock.setTimeout(() => {
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
    if (c.timer) this.#engine.clock.clearTimeout(c.timer);
    c.timer = undefined;
    c.checking = true;
    const { clock } = this.#engine;
    const work = (async () => {
      const { signal, clear } = attemptSignal(clock, c.timing.timeoutMs, this.#abort.signal);
      let result: CheckResult;
      try {
        result = await c.check.run(signal);
      } catch (err) {
        result = {
          ok: false,
          detail: signal.aborted && !this.#stopped ? `timed out after ${c.timing.timeoutMs} ms` : describeFailure(err),
        };
      } finally {
        clear();
      }
      if (this.#stopped) return;
      const at = clock.now();
      const rec = {
        at: iso(at),
        ok: result.ok,
        ...(result.detail !== undefined ? { detail: result.detail } : {}),
        ...(result.value !== undefined ? { value: result.value } : {}),
      };
      c.history.push(rec);
      this.#emitSafe('check', c.name, rec);
      this.#send(c, {
        type: result.ok ? 'CHECK_OK' : 'CHECK_FAILED',
        at,
        ...(result.detail !== undefined ? { detail: result.detail } : {}),
      });
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
    this.#persist(c, event.at);
    const log = this.#engine.logger;
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
        } else this.#runStrategy(c, c.context.index);
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

  #runStrategy(c: Component, index: number): void {
    const step = c.ladder[index]!;
    const { clock, logger } = this.#engine;
    const outcome: StrategyOutcome = { strategy: step.strategy, index, startedAt: iso(clock.now()) };
    c.tried.push(outcome);
    const timeoutMs = 'timeoutMs' in step ? step.timeoutMs : Infinity;
    const { signal, clear } = attemptSignal(clock, timeoutMs, this.#abort.signal);
    const work = (async () => {
      let result: StrategyResult;
      try {
        const strategy = this.#strategies[step.strategy];
        if (!strategy) throw new Error(`no strategy "${step.strategy}"`);
        result = await strategy(step, {
          component: { name: c.name, kind: c.kind, ...(c.agent !== undefined ? { agent: c.agent } : {}), check: c.check.type },
          engine: this.#engine,
          ...(c.slot ? { slot: c.slot } : {}),
          ...(c.process ? { process: c.process } : {}),
          clock,
          logger,
          signal,
          configDir: this.#engine.config.configDir,
          env: this.#env,
          history: c.history.toArray(20),
          index,
          cacheClearers: this.#cacheClearers,
        });
      } catch (err) {
        result = { ok: false, detail: signal.aborted && !this.#stopped ? `timed out after ${timeoutMs} ms` : describeFailure(err) };
      } finally {
        clear();
      }
      if (result.undo) c.undo.push(result.undo);
      if (this.#stopped) return;
      const at = clock.now();
      Object.assign(outcome, { endedAt: iso(at), ok: result.ok, ...(result.detail !== undefined ? { detail: result.detail } : {}) });
      this.#send(c, {
        type: result.ok ? 'RECOVERY_OK' : 'RECOVERY_FAILED',
        at,
        index,
        ...(result.detail !== undefined ? { detail: result.detail } : {}),
      });
    })();
    this.#track(c, work);
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
    this.#persist(c, this.#engine.clock.now());
    this.#incident(c, async () => {
      await this.#engine.escalations.resolveIncident(`supervisor:${c.name}`);
    });
  }

  /** Opens one incident per episode: the first escalated or failed state raises it, later ones do not. */
  #escalate(c: Component, code: string, why: string | undefined): void {
    if (c.incidentOpen) return;
    c.incidentOpen = true;
    this.#persist(c, this.#engine.clock.now());
    const p = c.process;
    const summary = `${c.name} is ${c.state}: ${why ?? code}`;
    const input = {
      key: `supervisor:${c.name}`,
      source: c.name,
      severity: c.severity,
      code,
      summary,
      timeline: c.transitions.toArray().map(toTimeline),
      details: {
        component: c.name,
        kind: c.kind,
        check: c.check.type,
        state: c.state,
        summary,
        healthHistory: c.history.toArray(20),
        strategies: c.tried.map((o) => ({ ...o })),
        ...(p ? { process: { state: p.state, restarts: p.restarts.slice(-10), lastOutput: p.tail().slice(-20) } } : {}),
      },
      ...(c.agent !== undefined ? { agents: [c.agent] } : {}),
    };
    this.#incident(c, async () => {
      await this.#engine.escalations.raiseIncident(input);
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

  /** Keeps the recent history in the store's breaker table, so it survives a restart. Writes go one at a time. */
  #persist(c: Component, at: number): void {
    const record = c.record(PERSISTED);
    this.#writes = this.#writes
      .then(() => this.#engine.store.saveBreaker(RECORD_PREFIX + c.name, record, at))
      .catch((err) => this.#report(err));
  }

  async #restore(): Promise<void> {
    let rows: Awaited<ReturnType<Store['loadBreakers']>>;
    try {
      rows = await this.#engine.store.loadBreakers();
    } catch (err) {
      return this.#report(err);
    }
    for (const row of rows) {
      if (!row.agent.startsWith(RECORD_PREFIX)) continue;
      const c = this.#components.get(row.agent.slice(RECORD_PREFIX.length));
      const rec = row.snapshot as ComponentRecord | undefined;
      if (c && rec && Array.isArray(rec.transitions)) c.restore(rec);
    }
  }

  #find(name: string): Component | undefined {
    return this.#components.get(name) ?? this.#components.get(`agent:${name}`) ?? this.#components.get(`system:${name}`);
  }

  #emitSafe<E extends keyof SupervisorEvents>(event: E, ...args: Parameters<SupervisorEvents[E]>): void {
    emitSafely(this as unknown as EventEmitter, event, args, (err) => this.#report(err));
  }

  #report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.#emitSafe('error', err);
    else this.#engine.logger.error({ err: describeFailure(err) }, 'supervisor: a step failed');
  }
}

/** A supervisor transition in the shape of a task transition, for an incident's timeline. */
function toTimeline(t: SupervisorTransition): Transition {
  const reason = [t.strategy, t.detail].filter(Boolean).join(': ');
  return { seq: t.seq, at: t.at, from: t.from, to: t.to, event: t.event, ...(reason ? { detail: { reason } } : {}) };
}
