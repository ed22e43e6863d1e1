import type { AddressInfo } from 'node:net';
import { startWarden } from '../helpers/warden.js';

/** A server with the dashboard: the real `warden serve`, or the same engine and API in this process. */
export interface DashboardServer {
  readonly url: string;
  /** True when the dashboard came from the built `warden serve` child. */
  readonly real: boolean;
  stop(): Promise<void>;
}

/**
 * Starts `warden serve --store memory:` with `configPath` and `env`. Until `createApp` calls
 * `registerDashboard` (src/http owns that line), `GET /` there is a 404; then this starts the
 * same engine and API in-process with the dashboard added, so the browser tests run either way.
 */
export async function startDashboard(configPath: string, env: Record<string, string>): Promise<DashboardServer> {
  const warden = await startWarden(['--config', configPath, '--store', 'memory:'], { env });
  const probe = await fetch(`${warden.url}/`);
  if (probe.ok && /^text\/html/.test(probe.headers.get('content-type') ?? '')) {
    return { url: warden.url, real: true, stop: async () => void (await warden.stop()) };
  }
  await warden.stop();

  const [
    { loadConfig },
    { acceleratedClock, systemClock },
    { createEngine },
    { silentLogger },
    { createApp },
    { registerDashboard },
    { serve },
  ] = await Promise.all([
    import('../../src/config/index.js'),
    import('../../src/clock/index.js'),
    import('../../src/lifecycle/createEngine.js'),
    import('../../src/lifecycle/logger.js'),
    import('../../src/http/app.js'),
    import('../../src/dashboard/serve.js'),
    import('@hono/node-server'),
  ]);
  const rate = Number(env.WARDEN_CLOCK_RATE ?? 1);
  const engine = await createEngine({
    config: await loadConfig({ configPath }),
    store: 'memory:',
    clock: rate === 1 ? systemClock : acceleratedClock(rate),
    logger: silentLogger,
  });
  const app = createApp(engine, { apiToken: env.WARDEN_API_TOKEN, adminToken: env.WARDEN_ADMIN_TOKEN });
  registerDashboard(app);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    real: false,
    stop: async () => {
      (server as import('node:http').Server).closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await engine.stop({ drainTimeoutMs: 0 });
    },
  };
}
