/**
 * The dashboard: plain HTML, CSS and ES modules (the files in `public/`) served by `warden serve`
 * itself, with no bundler and nothing fetched from anywhere else.
 * @module
 */
import type { Context, Hono } from 'hono';
import { lifecycleGraph } from './lifecycleGraph.js';
import { dashboardFiles } from './publicFiles.js';

/**
 * The page may load its own scripts, styles and images and talk to its own API, nothing else:
 * no inline script or style, no framing, no form posts elsewhere.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function send(c: Context, body: string, type: string) {
  c.header('content-type', type);
  c.header('content-security-policy', DASHBOARD_CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('x-frame-options', 'DENY');
  c.header('referrer-policy', 'no-referrer');
  // The assets change with the package version; revalidating is cheap on a LAN.
  c.header('cache-control', 'no-cache');
  return c.body(body, 200);
}

/**
 * Adds the dashboard to an API app: `GET /` (the page), `GET /dashboard/<file>` (its modules,
 * stylesheet and icon) and `GET /dashboard/lifecycle.json` (the task statechart, read from the
 * lifecycle machine). The page itself holds no data; it reads the API with the user's token,
 * so these routes need none.
 * @example
 * const app = createApp(engine, { apiToken });
 * registerDashboard(app);
 */
export function registerDashboard(app: Hono): void {
  const lifecycle = JSON.stringify(lifecycleGraph());
  const { page, files } = dashboardFiles();
  app.get('/', (c) => send(c, page, 'text/html; charset=utf-8'));
  app.get('/index.html', (c) => send(c, page, 'text/html; charset=utf-8'));
  app.get('/dashboard', (c) => c.redirect('/', 302));
  app.get('/dashboard/lifecycle.json', (c) => send(c, lifecycle, 'application/json; charset=utf-8'));
  app.get('/dashboard/:file', (c, next) => {
    const asset = files.get(c.req.param('file'));
    return asset ? send(c, asset.body, asset.type) : next();
  });
}
