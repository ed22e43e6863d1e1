import type { MiddlewareHandler } from 'hono';
import { noRedaction, type Redactor } from '../escalation/redact.js';

/**
 * A copy of a JSON value with every string (keys included) passed through `redact`. Working on
 * values rather than the JSON text keeps the document valid whatever the secret looks like: a
 * numeric secret replaced inside a number would otherwise break it.
 */
export function redactValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactValue(v, redact);
    return out;
  }
  return value;
}

/** The JSON text of `value`, redacted. One regex pass when nothing needs redacting. */
export function redactedJson(value: unknown, redact: Redactor): string {
  const text = JSON.stringify(value);
  if (redact === noRedaction || redact(text) === text) return text;
  return JSON.stringify(redactValue(value, redact));
}

/**
 * Redacts every JSON answer on its way out, so that no secret value (an API token, an agent's
 * API key an agent echoed, a secret a client put in an input) leaves in a response body. Streams
 * (SSE) are left alone: their writer redacts each event.
 */
export function redactResponses(redact: Redactor): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (redact === noRedaction || !c.res.headers.get('content-type')?.startsWith('application/json')) return;
    const text = await c.res.clone().text();
    if (redact(text) === text) return;
    let body: string;
    try {
      body = JSON.stringify(redactValue(JSON.parse(text), redact));
    } catch {
      body = redact(text);
    }
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(body, { status: c.res.status, statusText: c.res.statusText, headers });
  };
}
