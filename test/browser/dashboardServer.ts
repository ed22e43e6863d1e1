import { startWarden } from '../helpers/warden.js';

/** The built `warden serve`, serving the dashboard. */
export interface DashboardServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `warden serve --store memory:` with `configPath` and `env` (run `npm run build` first),
 * and checks that `GET /` is the dashboard's page. If it is not, this throws: the browser tests
 * test what `warden serve` ships, and never quietly something else in its place.
 */
export async function startDashboard(configPath: string, env: Record<string, string>): Promise<DashboardServer> {
  const warden = await startWarden(['--config', configPath, '--store', 'memory:'], { env });
  const page = await fetch(`${warden.url}/`);
  const type = page.headers.get('content-type') ?? '';
  const html = await page.text();
  if (page.status !== 200 || !/^text\/html/.test(type) || !html.includes('<nav id="nav"')) {
    await warden.stop();
    throw new Error(`warden serve does not serve the dashboard: GET / answered ${page.status} (${type}):\n${html.slice(0, 300)}`);
  }
  return { url: warden.url, stop: async () => void (await warden.stop()) };
}
