/**
 * The running Warden: the engine, the supervisor beside it and, in distributed mode, the node
 * (pg-boss workers, breaker sync, the transition feed, leader election). The runtime alone
 * decides the order they start and stop in, and who supervises.
 *
 * `createEngine` builds a runtime but still returns the engine, not the runtime: the library
 * surface, `warden serve`, `warden worker`, `warden drill`, the HTTP app and the tests all speak
 * the Engine's API (`submit`, `result`, `stop`…), and one object to carry is simpler than two.
 * So the runtime binds itself to its engine once: a single stop hook, so `engine.stop()` runs
 * the runtime's ordered stop whoever calls it, and a read-only `engine.supervisor` that reads
 * the runtime's. Nothing else can set or swap the supervisor.
 * @module
 */
import type { DistributedNode } from '../distributed/startDistributed.js';
import type { Engine, StopOptions } from '../lifecycle/Engine.js';
import type { PostgresStore } from '../store/PostgresStore.js';
import { Supervisor } from '../supervisor/Supervisor.js';
import { engineHost } from './engineHost.js';

/** What {@link Runtime.start} runs beside the engine. @internal */
export interface RuntimeOptions {
  /** Run a supervisor: always in local mode, while this process leads in distributed mode. */
  supervise: boolean;
  /** Run the background purge of retention: always in local mode, while this process leads in distributed mode. */
  purge: boolean;
  /** Where the supervisor reads `headersEnv` and `inheritEnv` values. */
  env: Record<string, string | undefined>;
  /** Distributed mode: the Postgres store and this node's share of the work. Absent, everything runs in this process. */
  distributed?: { store: PostgresStore; worker?: boolean; concurrency?: number };
}

/**
 * An engine with what runs beside it. Stops in this order: the supervisor first (health checks
 * and recoveries end; managed agents finish their calls, then their processes stop), then the
 * distributed node (no more work taken from the queue), then the engine drains what it holds.
 * @internal
 */
export class Runtime {
  readonly engine: Engine;
  readonly #opts: RuntimeOptions;
  #supervisor: Supervisor | undefined;
  #node: DistributedNode | undefined;
  #stopping = false;

  private constructor(engine: Engine, opts: RuntimeOptions) {
    this.engine = engine;
    this.#opts = opts;
    engine.onStop((o) => this.#stopBeside(o));
    engine.showSupervisor(() => this.#supervisor);
  }

  /** Binds a runtime to a started engine and starts what runs beside it. */
  static async start(engine: Engine, opts: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(engine, opts);
    const d = opts.distributed;
    if (d) {
      // Imported here so the embedded default never loads pg or pg-boss.
      const { startDistributed } = await import('../distributed/startDistributed.js');
      runtime.#node = await startDistributed(engine, d.store, {
        ...(d.worker !== undefined ? { worker: d.worker } : {}),
        ...(d.concurrency !== undefined ? { concurrency: d.concurrency } : {}),
        onLeader: (leading) => runtime.#lead(leading),
      });
    } else {
      if (opts.purge) engine.retention.start();
      if (opts.supervise) await runtime.#supervise();
    }
    return runtime;
  }

  /** The supervisor running now, if any: none when disabled, or while another process leads. */
  get supervisor(): Supervisor | undefined {
    return this.#supervisor;
  }

  /** The distributed node, in distributed mode. */
  get node(): DistributedNode | undefined {
    return this.#node;
  }

  /** Stops everything in order (see {@link Runtime}); the same as `engine.stop()`. */
  stop(opts: StopOptions = {}): Promise<void> {
    return this.engine.stop(opts);
  }

  /** What runs beside the engine, stopped before the engine drains: the purge, the supervisor, then the node. */
  async #stopBeside(opts: StopOptions): Promise<void> {
    this.#stopping = true;
    await this.engine.retention.stop();
    await this.#supervisor?.stop(opts);
    await this.#node?.stop();
  }

  async #supervise(): Promise<void> {
    const supervisor = new Supervisor(engineHost(this.engine), { env: this.#opts.env });
    this.#supervisor = supervisor;
    await supervisor.start();
  }

  /** Only the leader supervises and purges: one set of health checks, recoveries, incidents and purges per cluster. */
  async #lead(leading: boolean): Promise<void> {
    if (leading && this.#opts.purge && !this.#stopping) this.engine.retention.start();
    else if (!leading) await this.engine.retention.stop();
    if (!this.#opts.supervise) return;
    if (leading && !this.#supervisor && !this.#stopping) await this.#supervise();
    else if (!leading && this.#supervisor) {
      const previous = this.#supervisor;
      this.#supervisor = undefined;
      await previous.stop({ drainTimeoutMs: 0 });
    }
  }
}
