import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { timeout } from 'hono/timeout';
import { DASHBOARD_CSP } from '../dashboard/serve.js';

/**
 * Security headers on every answer, API and dashboard alike. The CSP is the dashboard's own
 * (same-origin scripts, styles and connections; no inline script or style; no framing), which for
 * JSON answers simply forbids everything. Headers a route sets itself win (`overwrite: false`).
 * HSTS is left to the TLS proxy in front of Warden: Warden itself serves plain HTTP.
 */
export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    strictTransportSecurity: false,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
    overwrite: false,
  });
  return async (c, next) => {
    await headers(c, next);
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('content-security-policy', DASHBOARD_CSP);
  };
}

/**
 * CORS for the API, off unless origins are given (`WARDEN_CORS_ORIGIN`, comma-separated, or `*`).
 * Preflights are answered before authentication, as browsers send them without credentials.
 */
export function corsFor(origins: readonly string[] | undefined): MiddlewareHandler | undefined {
  if (!origins?.length) return undefined;
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'last-event-id'],
    maxAge: 600,
  });
}

/** Parses `WARDEN_CORS_ORIGIN`: origins separated by commas or spaces. */
export function parseOrigins(value: string | undefined): string[] | undefined {
  const list = (value ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return list.length ? list : undefined;
}

/** What a handler that runs past its time limit throws; answered 503 REQUEST_TIMEOUT. */
export class HandlerTimeout extends HTTPException {
  constructor(readonly ms: number) {
    super(503, { message: `the request took longer than ${ms} ms` });
  }
}

/**
 * Ends a non-streaming request that takes longer than `ms` with a 503. Streams (`text/event-stream`
 * routes, listed in `streaming`) are exempt: they are meant to stay open.
 */
export function handlerTimeout(ms: number, streaming: readonly string[]): MiddlewareHandler {
  const limit = timeout(ms, () => new HandlerTimeout(ms));
  return (c, next) => (streaming.includes(c.req.path) ? next() : limit(c, next));
}
