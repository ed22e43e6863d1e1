import { ConfigError } from '../../config/index.js';
import { loadConfigOrExit } from './loadConfigOrExit.js';
import { isWardenError } from '../../errors/index.js';
import { createEngine } from '../../lifecycle/createEngine.js';
import { createLogger } from '../../lifecycle/logger.js';

export interface WorkerOptions {
  config?: string;
  store?: string;
  concurrency: number;
  drainTimeout: number;
}

/**
 * `warden worker --store postgres://…`: runs lifecycle steps for a distributed Warden, with no
 * HTTP. SIGTERM/SIGINT stop taking jobs, let running tasks reach a step boundary, and exit 0;
 * whatever was still running comes back to another worker.
 */
export async function workerCommand(o: WorkerOptions): Promise<void> {
  const logger = createLogger();
  const loaded = await loadConfigOrExit(o.config);
  const store = o.store ?? loaded.config.store;
  if (!/^postgres(ql)?:\/\//.test(store)) {
    console.error(`error: warden worker needs a Postgres store (--store postgres://…); got "${store.replace(/\/\/[^@/]*@/, '//***@')}"`);
    process.exit(1);
  }
  let engine: Awaited<ReturnType<typeof createEngine>>;
  try {
    engine = await createEngine({ config: loaded, store, logger, worker: true, concurrency: o.concurrency });
  } catch (err) {
    if (isWardenError(err) || err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  console.log(`worker ready (pid ${process.pid}, concurrency ${o.concurrency})`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: draining`);
    await engine.stop({ drainTimeoutMs: o.drainTimeout });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
