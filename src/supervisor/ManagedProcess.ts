import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EventEmitter } from 'eventemitter3';
import { INHERITED_ENV } from '../agents/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import type { ProcessConfig } from '../config/index.js';
import type { Logger } from '../lifecycle/logger.js';
import { RingBuffer } from './RingBuffer.js';
import { decideRestart, NO_RESTARTS, type RestartHistory } from './restartPolicy.js';

/**
 * Where a managed process is:
 * - `idle` before the first start, `starting` between spawn and the OS confirming it, `running`;
 * - `backoff` after an exit, until its restart timer fires;
 * - `stopping` while it is being stopped (shutdown, or a restart a strategy asked for), `stopped`;
 * - `failed` once the restart intensity was exceeded: Warden no longer restarts it.
 */
export type ProcessState = 'idle' | 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';

/** One restart: the exit that caused it and when it ran. Times in ms on the engine clock. */
export interface RestartRecord {
  exitAt: number;
  code: number | null;
  signal: string | null;
  uptimeMs: number;
  /** The backoff before this restart (0 for a restart a strategy asked for). */
  delayMs: number;
  /** When the restart ran; absent while it is pending. */
  restartedAt?: number;
  /** Why: `exited` (on its own) or the reason a strategy gave. */
  reason: string;
}

/** What a managed process tells its supervisor. */
export interface ManagedProcessEvents {
  started: (info: { pid: number; at: number }) => void;
  /** It exited on its own. `restartInMs` is absent when Warden gave up on it (a `failed` event follows). */
  exited: (info: {
    code: number | null;
    signal: string | null;
    at: number;
    uptimeMs: number;
    restartInMs?: number;
    detail: string;
  }) => void;
  /** The restart intensity was exceeded: the process stays down. */
  failed: (info: { at: number; restartsInWindow: number; detail: string }) => void;
}

/** What a {@link ManagedProcess} is built with. */
export interface ManagedProcessOptions {
  /** The agent id: the `agent` field of every log line. */
  id: string;
  config: ProcessConfig;
  /** `cwd` resolves against it, and it is the default working directory. */
  configDir: string;
  /** Warden's environment: the program gets only the inherited part of it. */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  logger: Logger;
}

const TAIL_LINES = 50;

/**
 * A program Warden runs for an agent, the way a Kubernetes kubelet or an OTP supervisor runs a
 * child: started with the engine, its stdout and stderr lines logged with the agent id,
 * restarted when it exits after a backoff (on the injected clock) that doubles up to a cap,
 * and given up on (`failed`) when it exits more than `maxRestarts` times within `withinMs`.
 * Stopping sends SIGTERM, then SIGKILL after `stopTimeoutMs`.
 *
 * @example
 * const proc = new ManagedProcess({ id: 'echo', config, configDir, env: process.env, clock, logger });
 * proc.on('exited', (e) => console.log(e.detail));
 * proc.start();
 * await proc.stop();
 */
export class ManagedProcess extends EventEmitter<ManagedProcessEvents> {
  readonly id: string;
  readonly #o: ManagedProcessOptions;
  #state: ProcessState = 'idle';
  #child: ChildProcess | undefined;
  #startedAt: number | undefined;
  #history: RestartHistory = NO_RESTARTS;
  #timer: TimerHandle | undefined;
  #nextRestartAt: number | undefined;
  #exited: (() => void) | undefined;
  #terminating: Promise<void> | undefined;
  readonly #restarts: RestartRecord[] = [];
  readonly #tail = new RingBuffer<string>(TAIL_LINES);
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(o: ManagedProcessOptions) {
    super();
    this.id = o.id;
    this.#o = o;
  }

  get state(): ProcessState {
    return this.#state;
  }

  /** Whether the program is up (spawned and not exited). */
  get running(): boolean {
    return this.#state === 'running';
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** When the pending restart runs (ms), while in `backoff`. */
  get nextRestartAt(): number | undefined {
    return this.#nextRestartAt;
  }

  /** Every restart so far, oldest first. */
  get restarts(): readonly RestartRecord[] {
    return this.#restarts;
  }

  /** The last lines it wrote, stdout and stderr interleaved, prefixed with the stream. */
  tail(): string[] {
    return this.#tail.toArray();
  }

  /** Starts the program. Does nothing unless it is idle or stopped. */
  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'stopped') return;
    this.#spawn();
  }

  /**
   * Resolves once the program is (next) up; rejects when Warden gives up on it or stops it.
   */
  whenStarted(): Promise<void> {
    if (this.#state === 'running') return Promise.resolve();
    if (this.#state === 'failed') return Promise.reject(new Error(`${this.id}: the process has failed (restart intensity exceeded)`));
    return new Promise((res, rej) => this.#waiters.push({ resolve: res, reject: rej }));
  }

  /**
   * Stops the program and starts it again at once: what the `restart-process` strategy does.
   * Counts towards the restart intensity. While a restart is already pending it waits for that one.
   * @throws Error when the process has failed, or when the restart exceeds the intensity.
   */
  async restart(reason: string): Promise<void> {
    if (this.#state === 'failed')
      throw new Error(`${this.id}: the process has failed (restart intensity exceeded); Warden no longer restarts it`);
    if (this.#state === 'backoff' || this.#state === 'starting' || this.#state === 'stopping') return this.whenStarted();
    if (this.#state === 'running') {
      const uptimeMs = this.#o.clock.now() - (this.#startedAt ?? this.#o.clock.now());
      await this.#terminate();
      const at = this.#o.clock.now();
      const decision = decideRestart(this.#history, { at, uptimeMs, immediate: true }, this.#policy());
      this.#history = decision.history;
      if (decision.action === 'give-up') {
        const detail = this.#giveUp(at, decision.restartsInWindow);
        throw new Error(`${this.id}: ${detail}`);
      }
      this.#restarts.push({ exitAt: at, code: null, signal: 'SIGTERM', uptimeMs, delayMs: 0, restartedAt: at, reason });
    }
    const started = this.whenStarted();
    this.#spawn();
    return started;
  }

  /** Stops the program for good: SIGTERM, then SIGKILL after `stopTimeoutMs`. Cancels a pending restart. */
  async stop(): Promise<void> {
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextRestartAt = undefined;
    if (this.#state === 'failed') return;
    await this.#terminate();
    this.#state = 'stopped';
    this.#rejectWaiters(new Error(`${this.id}: the process was stopped`));
  }

  #policy() {
    const { restartBackoff: b, maxRestarts, withinMs } = this.#o.config;
    return { initialMs: b.initialMs, maxMs: b.maxMs, resetAfterMs: b.resetAfterMs, maxRestarts, withinMs };
  }

  #spawn(): void {
    const { config, configDir, env, logger } = this.#o;
    const childEnv: NodeJS.ProcessEnv = {};
    for (const name of [...INHERITED_ENV, ...config.inheritEnv]) if (env[name] !== undefined) childEnv[name] = env[name];
    Object.assign(childEnv, config.env);
    this.#state = 'starting';
    let child: ChildProcess;
    try {
      child = spawn(config.command, config.args, {
        cwd: resolve(configDir, config.cwd ?? '.'),
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
    } catch (err) {
      // spawn throws synchronously only for bad arguments; treat it like a failed start.
      this.#state = 'running';
      this.#onExit(undefined, null, null, `could not start: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.#child = child;
    let done = false;
    const exit = (code: number | null, signal: string | null, why?: string) => {
      if (done) return;
      done = true;
      this.#onExit(child, code, signal, why);
    };
    child.once('spawn', () => {
      if (this.#child !== child) return;
      this.#state = 'running';
      this.#startedAt = this.#o.clock.now();
      logger.info({ agent: this.id, pid: child.pid }, `agent ${this.id}: process started (pid ${child.pid})`);
      const waiters = this.#waiters.splice(0);
      for (const w of waiters) w.resolve();
      this.emit('started', { pid: child.pid!, at: this.#startedAt });
    });
    child.once('error', (err) => exit(null, null, `could not start: ${err.message}`));
    child.once('exit', (code, signal) => exit(code, signal));
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: child[stream]!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        this.#tail.push(`${stream}: ${line}`);
        const fields = { agent: this.id, stream, pid: child.pid };
        if (stream === 'stderr') logger.warn(fields, line);
        else logger.info(fields, line);
      });
    }
  }

  #onExit(child: ChildProcess | undefined, code: number | null, signal: string | null, why?: string): void {
    if (child && this.#child !== child) return;
    this.#child = undefined;
    const detail = why ?? (signal ? `exited on ${signal}` : `exited with code ${code}`);
    if (this.#state === 'stopping') {
      this.#o.logger.info({ agent: this.id, code, signal }, `agent ${this.id}: process stopped (${detail})`);
      this.#exited?.();
      return;
    }
    const at = this.#o.clock.now();
    const uptimeMs = this.#startedAt === undefined ? 0 : at - this.#startedAt;
    this.#startedAt = undefined;
    const decision = decideRestart(this.#history, { at, uptimeMs }, this.#policy());
    this.#history = decision.history;
    if (decision.action === 'give-up') {
      this.#o.logger.error({ agent: this.id, code, signal }, `agent ${this.id}: process ${detail}`);
      this.emit('exited', { code, signal, at, uptimeMs, detail });
      this.#giveUp(at, decision.restartsInWindow);
      return;
    }
    const record: RestartRecord = { exitAt: at, code, signal, uptimeMs, delayMs: decision.delayMs, reason: 'exited' };
    this.#restarts.push(record);
    this.#state = 'backoff';
    this.#nextRestartAt = at + decision.delayMs;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#nextRestartAt = undefined;
      record.restartedAt = this.#o.clock.now();
      this.#spawn();
    }, decision.delayMs);
    const full = `${detail}; restarting in ${decision.delayMs} ms`;
    this.#o.logger.warn({ agent: this.id, code, signal, restartInMs: decision.delayMs }, `agent ${this.id}: process ${full}`);
    this.emit('exited', { code, signal, at, uptimeMs, restartInMs: decision.delayMs, detail: full });
  }

  #giveUp(at: number, restartsInWindow: number): string {
    this.#state = 'failed';
    const { maxRestarts, withinMs } = this.#o.config;
    const detail = `${restartsInWindow} restart(s) within ${withinMs} ms reached the limit of ${maxRestarts}: not restarting again`;
    this.#o.logger.error({ agent: this.id, restartsInWindow }, `agent ${this.id}: ${detail}`);
    // The supervisor hears of the failure before any strategy waiting on a start does.
    this.emit('failed', { at, restartsInWindow, detail });
    this.#rejectWaiters(new Error(`${this.id}: ${detail}`));
    return detail;
  }

  /** SIGTERM, SIGKILL after `stopTimeoutMs`; resolves once the program has exited. */
  #terminate(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#child = undefined;
      return this.#terminating ?? Promise.resolve();
    }
    if (this.#terminating) return this.#terminating;
    this.#state = 'stopping';
    this.#terminating = new Promise<void>((res) => {
      this.#exited = res;
      child.kill('SIGTERM');
      // Real time, not the engine clock: the program lives in real time whatever clock the engine runs on.
      const kill = setTimeout(() => child.kill('SIGKILL'), this.#o.config.stopTimeoutMs);
      kill.unref();
      child.once('exit', () => clearTimeout(kill));
    }).finally(() => {
      this.#exited = undefined;
      this.#terminating = undefined;
    });
    return this.#terminating;
  }

  #rejectWaiters(err: Error): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
}
