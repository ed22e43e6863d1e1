import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { Metrics } from '../../metrics/Metrics.js';
import { apiRoutes, apiSchemas } from '../apiRoutes.js';
import { buildOpenApi, openApiPath } from '../openapi.js';

const VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** `GET /api/openapi.json` (generated from the zod schemas) and `GET /metrics` (Prometheus text). */
export function registerMetaRoutes(app: Hono, metrics: Metrics): void {
  let doc: Record<string, unknown> | undefined;
  let documented = 0;
  app.get('/api/openapi.json', (c) => {
    // Built on first use, after every module has registered its routes; routes no spec names
    // (another module's) are listed bare so that the document names everything the app serves.
    if (!doc || documented !== app.routes.length) {
      const known = new Set(apiRoutes.map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`));
      const extra = app.routes
        .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !known.has(`${r.method} ${openApiPath(r.path)}`))
        .map((r) => ({ method: r.method, path: r.path }));
      doc = buildOpenApi(
        apiRoutes,
        apiSchemas,
        { title: 'Warden API', version: VERSION, description: 'The HTTP API of Warden (CONTRACT.md section 4).' },
        extra,
      );
      documented = app.routes.length;
    }
    return c.json(doc);
  });

  app.get('/metrics', async (c) => {
    const text = await metrics.text();
    return c.body(text, 200, { 'content-type': metrics.registry.contentType });
  });
}
