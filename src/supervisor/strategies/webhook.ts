import type { RecoveryStep } from '../../config/index.js';
import type { RecoveryStrategy } from './Strategy.js';

type WebhookStep = Extract<RecoveryStep, { strategy: 'webhook' }>;

/**
 * POSTs the component's state as JSON to the URL; any 2xx is success. The body:
 * `{ component, kind, agent?, check, strategyIndex, at, history }` (history: the recent check
 * results). Secret headers come from `headersEnv`.
 */
export const webhook: RecoveryStrategy = async (step, ctx) => {
  const s = step as WebhookStep;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...s.headers };
  for (const [name, envName] of Object.entries(s.headersEnv ?? {})) {
    const value = ctx.env[envName];
    if (value !== undefined) headers[name] = value;
  }
  const body = {
    component: ctx.component.name,
    kind: ctx.component.kind,
    ...(ctx.component.agent ? { agent: ctx.component.agent } : {}),
    check: ctx.component.check,
    strategyIndex: ctx.index,
    at: new Date(ctx.clock.now()).toISOString(),
    history: ctx.history.slice(-10),
  };
  const res = await fetch(s.url, { method: 'POST', headers, body: JSON.stringify(body), signal: ctx.signal });
  await res.arrayBuffer().catch(() => undefined);
  return { ok: res.ok, detail: `POST ${new URL(s.url).origin}${new URL(s.url).pathname} → HTTP ${res.status}` };
};
