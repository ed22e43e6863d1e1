/**
 * Applies one rung of a component's recovery ladder: finds the strategy, gives it what it may
 * use (never the engine), bounds it by the rung's timeout, and notes how it went.
 * @module
 */
import { iso } from '../clock/iso.js';
import type { Component } from './Component.js';
import { runWithin } from './runWithin.js';
import type { RecoveryContext, RecoveryStrategy } from './strategies/Strategy.js';
import type { SupervisorEvent } from './SupervisorMachine.js';
import type { SupervisorHost } from './SupervisorHost.js';
import type { StrategyOutcome } from './types.js';

/** What a {@link RecoveryRunner} is built with. @internal */
export interface RecoveryRunnerOptions {
  host: SupervisorHost;
  /** The strategies by the name a ladder uses. */
  strategies: Readonly<Record<string, RecoveryStrategy>>;
  /** Where `headersEnv` and `inheritEnv` values are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Registered with the supervisor, run by `clear-caches`. */
  cacheClearers: ReadonlySet<() => void | Promise<void>>;
  /** The supervisor's stop: aborts every strategy in flight. */
  stop: AbortSignal;
}

/** Runs recovery strategies for the supervisor. @internal */
export class RecoveryRunner {
  readonly #o: RecoveryRunnerOptions;

  constructor(opts: RecoveryRunnerOptions) {
    this.#o = opts;
  }

  /**
   * Applies rung `index` of the component's ladder and records it in `c.tried`. Resolves with
   * the machine event that reports the outcome, or undefined once the supervisor has stopped.
   * What the strategy asks to undo is kept on the component even then.
   */
  async run(c: Component, index: number): Promise<SupervisorEvent | undefined> {
    const { host, stop } = this.#o;
    const step = c.ladder[index]!;
    const outcome: StrategyOutcome = { strategy: step.strategy, index, startedAt: iso(host.clock.now()) };
    c.tried.push(outcome);
    const timeoutMs = 'timeoutMs' in step ? step.timeoutMs : Infinity;
    const result = await runWithin(host.clock, timeoutMs, stop, async (signal) => {
      const strategy = this.#o.strategies[step.strategy];
      if (!strategy) throw new Error(`no strategy "${step.strategy}"`);
      return strategy(step, this.#context(c, index, signal));
    });
    if ('undo' in result && result.undo) c.undo.push(result.undo);
    if (stop.aborted) return undefined;
    const at = host.clock.now();
    const detail = result.detail !== undefined ? { detail: result.detail } : {};
    Object.assign(outcome, { endedAt: iso(at), ok: result.ok, ...detail });
    return { type: result.ok ? 'RECOVERY_OK' : 'RECOVERY_FAILED', at, index, ...detail };
  }

  #context(c: Component, index: number, signal: AbortSignal): RecoveryContext {
    const { host, env, cacheClearers } = this.#o;
    return {
      component: { name: c.name, kind: c.kind, ...(c.agent !== undefined ? { agent: c.agent } : {}), check: c.check.type },
      store: host.store,
      channels: host.escalations.channels,
      ...(c.slot ? { slot: c.slot } : {}),
      ...(c.process ? { process: c.process } : {}),
      clock: host.clock,
      logger: host.logger,
      signal,
      configDir: host.configDir,
      env,
      history: c.history.toArray(20),
      index,
      cacheClearers,
    };
  }
}
