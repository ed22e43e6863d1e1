import { acceleratedClock, systemClock } from '../../clock/index.js';
import { ConfigError } from '../../config/index.js';
import { loadConfigOrExit } from './loadConfigOrExit.js';
import { isWardenError } from '../../errors/index.js';
import { parseOrigins } from '../../http/security.js';
import { isLoopback, startServer } from '../../http/server.js';
import { createEngine } from '../../lifecycle/createEngine.js';
import { createLogger } from '../../lifecycle/logger.js';

export interface ServeOptions {
  config?: string;
  host: string;
  port: number;
  store?: string;
  drainTimeout: number;
  /** Postgres store: run tasks here too. Defaults to true. */
  worker?: boolean;
  concurrency?: number;
}

/**
 * `warden serve`: validates everything before starting anything, then runs the engine and the
 * HTTP server until SIGTERM/SIGINT, which drain in-flight work and exit 0. Each escalation
 * channel is verified as it starts (Slack `auth.test`, SMTP `verify`).
 */
export async function serveCommand(o: ServeOptions): Promise<void> {
  const logger = createLogger();
  const loaded = await loadConfigOrExit(o.config);
  const rate = Number(process.env.WARDEN_CLOCK_RATE ?? 1);
  const clock = rate === 1 ? systemClock : acceleratedClock(rate);
  if (rate !== 1)
    logger.warn({ rate }, `WARDEN_CLOCK_RATE=${rate}: engine time runs ${rate}× faster than the wall clock (tests and drills only)`);

  let engine: Awaited<ReturnType<typeof createEngine>>;
  try {
    engine = await createEngine({
      config: loaded,
      ...(o.store ? { store: o.store } : {}),
      clock,
      logger,
      ...(o.worker !== undefined ? { worker: o.worker } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    });
  } catch (err) {
    if (isWardenError(err) || err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  // In the background: a slow or unreachable channel must not hold the server back. Each failure is
  // logged here, and shown in /api/health until the channel next succeeds.
  void engine.escalations.verifyChannels();

  const apiToken = process.env.WARDEN_API_TOKEN || undefined;
  const adminToken = process.env.WARDEN_ADMIN_TOKEN || undefined;
  if (!isLoopback(o.host) && !apiToken) {
    const line = '!'.repeat(78);
    console.error(
      `${line}\nWARNING: binding ${o.host} without WARDEN_API_TOKEN: anyone who can reach this port can submit, cancel and read tasks.\n${line}`,
    );
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const corsOrigins = parseOrigins(process.env.WARDEN_CORS_ORIGIN);
    server = await startServer(engine, { host: o.host, port: o.port, apiToken, adminToken, ...(corsOrigins ? { corsOrigins } : {}) });
  } catch (err) {
    console.error(`error: cannot listen on ${o.host}:${o.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    await engine.stop({ drainTimeoutMs: 0 });
    process.exit(1);
  }
  console.log(`listening on ${server.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: draining (up to ${o.drainTimeout} ms)`);
    // The engine refuses new tasks (503) while in-flight attempts finish.
    await engine.stop({ drainTimeoutMs: o.drainTimeout });
    await server.close();
    logger.info({}, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
