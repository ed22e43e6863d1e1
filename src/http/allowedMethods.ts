/**
 * Which methods a path is served for, from the app's own routes, so that a wrong method on a
 * known path is answered 405 with an `allow` header rather than 404 (RFC 9110 §15.5.6).
 * @module
 */
import type { RouterRoute } from 'hono/types';

/** A route pattern (`/api/tasks/:id`, `:name{regex}`, an optional `:name?`, `*`) as a RegExp over the whole path. */
function patternOf(path: string): RegExp {
  let re = '';
  for (const segment of path.split('/').slice(1)) {
    if (segment === '*') {
      re += '(?:/.*)?';
      continue;
    }
    const param = /^:[^{?]+(?:\{(.+)\})?(\?)?$/.exec(segment);
    if (param) {
      const one = `/(?:${param[1] ?? '[^/]+'})`;
      re += param[2] ? `(?:${one})?` : one;
    } else re += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  // Hono's routers are strict: `/api/tasks/` is not `/api/tasks`.
  return new RegExp(`^${re || '/'}$`);
}

/**
 * A lookup of the methods each path is served for. The routes are read at each call (they are
 * few), so routes registered after it was made count too; middleware (`ALL`) does not.
 * @example
 * const allowed = allowedMethods(() => app.routes);
 * allowed('/api/tasks/abc'); // ['GET', 'HEAD']
 */
export function allowedMethods(routes: () => readonly RouterRoute[]): (path: string) => string[] {
  const patterns = new Map<string, RegExp>();
  return (path) => {
    const methods = new Set<string>();
    for (const r of routes()) {
      if (r.method === 'ALL') continue;
      let re = patterns.get(r.path);
      if (!re) patterns.set(r.path, (re = patternOf(r.path)));
      if (re.test(path)) methods.add(r.method.toUpperCase());
    }
    // Hono answers HEAD with the GET handler.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
