import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problem } from './problem.js';

/** Bearer tokens for the API. Unset tokens turn their check off. */
export interface AuthOptions {
  /** Needed by every `/api/*` and `/metrics` request. Defaults to `WARDEN_API_TOKEN`. */
  apiToken?: string | undefined;
  /** Needed by admin actions (reset, cancel, ack). Defaults to `WARDEN_ADMIN_TOKEN`. */
  adminToken?: string | undefined;
}

// Hashing first gives equal-length buffers, so timingSafeEqual never throws and the
// comparison leaks neither the token nor its length.
const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1]?.trim();
}

/** Requires the API (or admin) token on every request it guards. */
export function requireToken(opts: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const accepted = [opts.apiToken, opts.adminToken].filter((t): t is string => !!t);
    if (!opts.apiToken) return next();
    const given = bearer(c.req.header('authorization'));
    if (!given || !accepted.some((t) => same(given, t))) {
      c.header('www-authenticate', 'Bearer realm="warden"');
      return problem(c, 'UNAUTHORIZED', 'a valid bearer token is required (authorization: Bearer <token>)');
    }
    return next();
  };
}

/** Requires the admin token, when one is configured, for mutating admin actions. */
export function requireAdmin(opts: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!opts.adminToken) return next();
    const given = bearer(c.req.header('authorization'));
    if (!given) return problem(c, 'UNAUTHORIZED', 'this action needs the admin token');
    if (!same(given, opts.adminToken)) return problem(c, 'FORBIDDEN', 'this action needs the admin token');
    return next();
  };
}
