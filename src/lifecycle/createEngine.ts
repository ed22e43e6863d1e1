import type { AdapterContext, AgentAdapter } from '../agents/index.js';
import type { Clock } from '../clock/index.js';
import { systemClock } from '../clock/index.js';
import { createLoadedConfig, loadConfig, type LoadedConfig } from '../config/index.js';
import { openStore } from '../store/openStore.js';
import type { PostgresStore } from '../store/PostgresStore.js';
import type { Store } from '../store/Store.js';
import { Runtime } from '../runtime/Runtime.js';
import { Engine } from './Engine.js';
import { createLogger, type Logger } from './logger.js';

/** Options for {@link createEngine}. */
export interface CreateEngineOptions {
  /** A loaded config, or a config object (validated like the file). */
  config?: LoadedConfig | object;
  /** Workflow objects, used with an object `config` instead of reading `workflowsDir`. */
  workflows?: readonly object[];
  /** The config file. Defaults to `WARDEN_CONFIG`, then `./agents.config.json`. Ignored with `config`. */
  configPath?: string;
  /** A store, or a store URL (`memory:`, `sqlite:PATH`, `postgres://…`). Defaults to the config's `store`. */
  store?: Store | string;
  /** Defaults to the system clock. */
  clock?: Clock;
  /** The source of jitter and simulated failures. Defaults to `Math.random`. */
  random?: () => number;
  /** Defaults to a pino logger on stderr. */
  logger?: Logger;
  /** The environment that `…Env` settings are read from. Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Replaces an agent's adapter: return one for `agentId`, or undefined to keep the configured
   * one. `warden drill` uses it to put fault-injecting agents behind every agent. Defaults to none.
   */
  adapterFor?: (agentId: string, ctx: AdapterContext) => AgentAdapter | undefined;
  /** Postgres store only: run tasks in this process. `warden serve --no-worker` sets false. Defaults to true. */
  worker?: boolean;
  /** Postgres store only: tasks this process runs at once. Defaults to 50. */
  concurrency?: number;
  /**
   * `distributed` (the default for a Postgres store) runs tasks through pg-boss workers; `local`
   * runs everything in this process, on any store (used to test the stores against the same suites).
   */
  mode?: 'local' | 'distributed';
  /**
   * `false` runs no supervisor (no health checks, recovery or managed agent processes). Defaults to
   * running one, unless the config says `supervisor.enabled: false`.
   */
  supervisor?: false;
  /**
   * `false` runs no background purge of ended tasks (a pass run by hand, `engine.retention.run()`,
   * still works). Defaults to purging every `retention.intervalMs` of the config.
   */
  retention?: false;
}

const isLoaded = (c: unknown): c is LoadedConfig => !!c && typeof c === 'object' && 'workflows' in c && c.workflows instanceof Map;

/**
 * Builds an engine, opens its store, resumes unfinished tasks and starts accepting work, with its
 * supervisor (and in distributed mode its pg-boss node) beside it. `engine.stop()` stops them all,
 * in order.
 *
 * @example
 * const engine = await createEngine({ configPath: './agents.config.json', store: 'memory:' });
 * const { id } = await engine.submit('code-review', { content: 'const x = 1;' });
 * console.log((await engine.result(id)).status);
 * await engine.stop();
 * @throws ConfigError on an invalid config, WardenError STORE_ERROR when the store can't be opened.
 */
export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  const env = opts.env ?? process.env;
  let loaded: LoadedConfig;
  if (isLoaded(opts.config)) loaded = opts.config;
  else if (opts.config) loaded = createLoadedConfig(opts.config, { workflows: opts.workflows ?? [], env: env as NodeJS.ProcessEnv });
  else loaded = await loadConfig({ ...(opts.configPath ? { configPath: opts.configPath } : {}), env: env as NodeJS.ProcessEnv });

  const ownsStore = typeof opts.store !== 'object';
  const store = typeof opts.store === 'object' ? opts.store : openStore(opts.store ?? loaded.config.store, { baseDir: loaded.configDir });
  await store.init();
  try {
    const breakers = new Map<string, unknown>((await store.loadBreakers()).map((b) => [b.agent, b.snapshot] as const));
    const distributed = store.kind === 'postgres' && opts.mode !== 'local';
    const engine = new Engine(
      {
        mode: distributed ? 'distributed' : 'local',
        loaded,
        store,
        clock: opts.clock ?? systemClock,
        random: opts.random ?? Math.random,
        logger: opts.logger ?? createLogger(),
        env,
        ownsStore,
        ...(opts.adapterFor ? { adapterFor: opts.adapterFor } : {}),
      },
      breakers,
    );
    await engine.start();
    // The runtime owns what runs beside the engine and the order it all stops in; see its module comment.
    await Runtime.start(engine, {
      supervise: opts.supervisor !== false && loaded.config.supervisor.enabled,
      purge: opts.retention !== false,
      env,
      ...(distributed ? { distributed: { store: store as PostgresStore, worker: opts.worker, concurrency: opts.concurrency } } : {}),
    });
    return engine;
  } catch (err) {
    if (ownsStore) await store.close().catch(() => {});
    throw err;
  }
}
