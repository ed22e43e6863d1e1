/**
 * Who may call what: `WARDEN_API_TOKEN` guards every `/api/*` route and `/metrics` (401 without
 * it), `WARDEN_ADMIN_TOKEN` guards the admin actions (403 with only the API token). Plus the
 * headers every answer carries, CORS (off unless `WARDEN_CORS_ORIGIN`) and the bind warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

const API_TOKEN = 'api-token-4f9c1e7a2b';
const ADMIN_TOKEN = 'admin-token-8d3b6a0f5c';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const agents = {
  good: { adapter: { type: 'simulated', latencyMs: 0 } },
  broken: { adapter: { type: 'simulated', latencyMs: 0, permanentFailureRate: 1 }, retry: { maxAttempts: 1 } },
  sleeper: { adapter: { type: 'simulated', latencyMs: '1h' }, timeoutMs: '2h' },
};
const workflows = [
  { name: 'easy', agent: 'good' },
  { name: 'doomed', agent: 'broken', degraded: { response: { status: 'degraded' } } },
  { name: 'slow', agent: 'sleeper', deadlineMs: '3h' },
];

let tmp: TempConfig;
let warden: WardenProcess;

beforeAll(async () => {
  tmp = await writeTempConfig(
    {
      agents,
      store: 'memory:',
      escalation: {
        channels: { console: { type: 'log' } },
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
      },
    },
    workflows,
  );
  warden = await startWarden(['--config', tmp.configPath], { env: { WARDEN_API_TOKEN: API_TOKEN, WARDEN_ADMIN_TOKEN: ADMIN_TOKEN } });
});

afterAll(async () => {
  await warden?.stop();
  await tmp?.remove();
});

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  api(warden.url, method, path, body, headers);

async function submit(workflow: string): Promise<string> {
  const res = await call('POST', '/api/tasks', bearer(API_TOKEN), { workflow, input: {} });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

describe('without the API token', () => {
  it('answers 401 UNAUTHORIZED with a WWW-Authenticate challenge on every API route and /metrics', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/tasks'],
      ['POST', '/api/tasks'],
      ['GET', '/api/tasks/x'],
      ['GET', '/api/tasks/x/transitions'],
      ['POST', '/api/tasks/x/cancel'],
      ['GET', '/api/agents'],
      ['POST', '/api/agents/good/circuit/reset'],
      ['GET', '/api/escalations'],
      ['POST', '/api/escalations/x/ack'],
      ['POST', '/api/escalations/x/resolve'],
      ['GET', '/api/health'],
      ['GET', '/api/events'],
      ['GET', '/api/openapi.json'],
      ['GET', '/metrics'],
      ['GET', '/api/no-such-route'],
    ];
    for (const [method, path] of routes) {
      for (const headers of [{}, bearer('wrong-token-0000'), { authorization: API_TOKEN }, { authorization: `Basic ${API_TOKEN}` }]) {
        const res = await call(method, path, headers);
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
  });

  it('answers 401 before reading a body over the size limit', async () => {
    const res = await call('POST', '/api/tasks', {}, { workflow: 'easy', input: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(401);
  });
});

describe('with the API token', () => {
  it('reads and submits', async () => {
    const id = await submit('easy');
    await until(async () => (await call('GET', `/api/tasks/${id}`, bearer(API_TOKEN))).body.status === 'completed');
    for (const path of [
      '/api/tasks',
      `/api/tasks/${id}/transitions`,
      '/api/agents',
      '/api/escalations',
      '/api/health',
      '/api/openapi.json',
    ]) {
      expect((await call('GET', path, bearer(API_TOKEN))).status, path).toBe(200);
    }
  });

  it('reads /metrics as Prometheus text', async () => {
    const res = await fetch(`${warden.url}/metrics`, { headers: bearer(API_TOKEN) });
    expect(res.status).toBe(200);
    const m = parsePrometheus(await res.text());
    expect(m.sum('warden_tasks_submitted_total')).toBeGreaterThan(0);
  });

  it('is refused the admin actions with 403 FORBIDDEN: cancel, circuit reset, ack and resolve', async () => {
    const slow = await submit('slow');
    const doomed = await submit('doomed');
    const escalationId = await until(async () => (await call('GET', `/api/tasks/${doomed}`, bearer(API_TOKEN))).body.escalationIds?.[0]);
    for (const path of [
      `/api/tasks/${slow}/cancel`,
      '/api/agents/good/circuit/reset',
      `/api/escalations/${escalationId}/ack`,
      `/api/escalations/${escalationId}/resolve`,
    ]) {
      const res = await call('POST', path, bearer(API_TOKEN));
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    // Nothing changed.
    expect((await call('GET', `/api/tasks/${slow}`, bearer(API_TOKEN))).body.status).not.toBe('cancelled');
    expect((await call('GET', `/api/escalations/${escalationId}`, bearer(API_TOKEN))).body.status).toBe('open');

    // The admin token does them all (and reads, too).
    const cancelled = await call('POST', `/api/tasks/${slow}/cancel`, bearer(ADMIN_TOKEN));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const reset = await call('POST', '/api/agents/good/circuit/reset', bearer(ADMIN_TOKEN));
    expect(reset.status).toBe(200);
    expect(reset.body.circuit.state).toBe('closed');
    const acked = await call('POST', `/api/escalations/${escalationId}/ack`, bearer(ADMIN_TOKEN), { by: 'alice' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', ackedBy: 'alice' });
    const resolved = await call('POST', `/api/escalations/${escalationId}/resolve`, bearer(ADMIN_TOKEN));
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    expect((await call('GET', '/api/tasks', bearer(ADMIN_TOKEN))).status).toBe(200);
  });

  it('lets `warden ack` through with WARDEN_ADMIN_TOKEN', async () => {
    const doomed = await submit('doomed');
    const escalationId = await until(async () => (await call('GET', `/api/tasks/${doomed}`, bearer(API_TOKEN))).body.escalationIds?.[0]);
    const { runCli } = await import('./helpers/warden.js');
    const denied = await runCli(['ack', escalationId, '--url', warden.url], {
      env: { WARDEN_API_TOKEN: API_TOKEN, WARDEN_ADMIN_TOKEN: '' },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error: this action needs the admin token \(FORBIDDEN\)/);
    const ok = await runCli(['ack', escalationId, '--by', 'bob', '--url', warden.url], {
      env: { WARDEN_API_TOKEN: API_TOKEN, WARDEN_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(`escalation ${escalationId} acknowledged by bob`);
  });
});

describe('headers and CORS (in-process)', () => {
  let open: ApiApp;
  let cors: ApiApp;
  beforeAll(async () => {
    open = await apiApp({ config: { agents }, workflows });
    cors = await apiApp({ config: { agents }, workflows, app: { apiToken: API_TOKEN, corsOrigins: ['https://ops.example.com'] } });
  });
  afterAll(async () => {
    await open?.close();
    await cors?.close();
  });

  it('sends security headers and a CSP that allows only same-origin scripts', async () => {
    for (const path of ['/api/tasks', '/api/nope', '/metrics']) {
      const res = await open.req('GET', path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('has CORS off by default', async () => {
    const res = await open.req('GET', '/api/tasks', undefined, { origin: 'https://evil.example.com' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await open.app.request('/api/tasks', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only the configured origins, and answers their preflight without a token', async () => {
    const preflight = await cors.app.request('/api/tasks', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://ops.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);

    const allowed = await cors.req('GET', '/api/tasks', undefined, { origin: 'https://ops.example.com', ...bearer(API_TOKEN) });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    const other = await cors.req('GET', '/api/tasks', undefined, { origin: 'https://evil.example.com', ...bearer(API_TOKEN) });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // CORS never stands in for the token.
    expect((await cors.req('GET', '/api/tasks', undefined, { origin: 'https://ops.example.com' })).status).toBe(401);
  });
});

describe('binding', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(new URL(warden.url).hostname).toBe('127.0.0.1');
  });

  it('warns loudly on stderr when binding beyond loopback without a token', async () => {
    const exposed = await startWarden(['--config', tmp.configPath, '--host', '0.0.0.0'], {
      env: { WARDEN_API_TOKEN: '', WARDEN_ADMIN_TOKEN: '' },
    });
    try {
      expect(exposed.stderr()).toMatch(/WARNING: binding 0\.0\.0\.0 without WARDEN_API_TOKEN/);
    } finally {
      await exposed.stop();
    }
    const guarded = await startWarden(['--config', tmp.configPath, '--host', '0.0.0.0'], { env: { WARDEN_API_TOKEN: API_TOKEN } });
    try {
      expect(guarded.stderr()).not.toMatch(/WARNING/);
    } finally {
      await guarded.stop();
    }
  });
});
