/**
 * The API against random and malformed requests (fast-check): random methods, paths, query
 * strings, headers and bodies never get a 5xx, never crash the server, and never get a secret
 * value (the API and admin tokens, an agent's API key) back in a body or a header, even when the
 * request itself carries one. Most runs go through `app.request()` in-process for speed; a short
 * run, plus raw malformed HTTP, goes to a real `warden serve`, which must still answer afterwards.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from './helpers/apiApp.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { startWarden, type WardenProcess } from './helpers/warden.js';

const API_TOKEN = 'fuzz-api-token-5b2e9d41c7';
const ADMIN_TOKEN = 'fuzz-admin-token-0e7a3c58f2';
const AGENT_KEY = 'sk-fuzz-agent-key-93f1b6d2a8';
const SECRETS = [API_TOKEN, ADMIN_TOKEN, AGENT_KEY];
const ENV = { WARDEN_API_TOKEN: API_TOKEN, WARDEN_ADMIN_TOKEN: ADMIN_TOKEN, FUZZ_AGENT_KEY: AGENT_KEY };

const config = {
  agents: {
    good: { adapter: { type: 'simulated', latencyMs: [0, 5] }, capabilities: ['code-review'] },
    broken: { adapter: { type: 'simulated', latencyMs: 0, failureRate: 1 }, retry: { maxAttempts: 1 } },
    // Never called: it is here so that its apiKeyEnv value is a secret of the config.
    remote: { adapter: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'FUZZ_AGENT_KEY' } },
  },
  escalation: {
    channels: { console: { type: 'log' } },
    severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
  },
};
const workflows = [
  { name: 'review', agent: 'good', inputSchema: { type: 'object', required: ['content'], properties: { content: { type: 'string' } } } },
  { name: 'echo', agent: 'good' },
  { name: 'doomed', agent: 'broken', degraded: { response: { status: 'degraded' } } },
];

// ---- arbitraries ----

const secret = fc.constantFrom(...SECRETS);
/** Strings with a bias towards the awkward: secrets, unicode, percent signs, dots, slashes. */
const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  secret,
  secret.map((s) => `key=${s}`),
  fc.constantFrom('', '..', '%', '%00', '%E0%A4%A', '%2F', '\u0000', '😀', 'null', '-1', '0', '1e309', 'completed,bogus', '💥'.repeat(40)),
);
const segment = fc.oneof(
  nasty.map((s) => encodeURIComponent(s)),
  fc.webSegment(),
  fc.constantFrom('%', '%zz', '..', '.', '%E0%A4%A', '%C0%AF'),
);
/** `$task` and `$escalation` stand for ids the fuzz has seen in answers (see {@link materialize}). */
const id = fc.oneof(fc.uuid(), segment, fc.constantFrom('$task', '$escalation'));
const at = (m: string, p: string): readonly [string, string] => [m, p];
/** A route of the API with its own method, mostly. */
const knownRoute: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  fc.constantFrom(
    ['GET', '/api/tasks'],
    ['POST', '/api/tasks'],
    ['GET', '/api/agents'],
    ['GET', '/api/escalations'],
    ['GET', '/api/health'],
    ['GET', '/api/workflows'],
    ['GET', '/api/openapi.json'],
    ['GET', '/metrics'],
    ['GET', '/api/events'],
    ['GET', '/'],
  ),
  id.map((x) => at('GET', `/api/tasks/${x}`)),
  id.map((x) => at('GET', `/api/tasks/${x}/transitions`)),
  id.map((x) => at('POST', `/api/tasks/${x}/cancel`)),
  fc
    .constantFrom('good', 'broken', 'remote')
    .chain((a) => fc.constantFrom(at('GET', `/api/agents/${a}`), at('POST', `/api/agents/${a}/circuit/reset`))),
  id.map((x) => at('POST', `/api/agents/${x}/circuit/reset`)),
  id.map((x) => at('GET', `/api/escalations/${x}`)),
  id.map((x) => at('POST', `/api/escalations/${x}/ack`)),
  id.map((x) => at('POST', `/api/escalations/${x}/resolve`)),
);
const randomPath = fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(fc.constantFrom('status', 'limit', 'workflow', 'lastEventId', 'x', ''), nasty), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
  fc.constantFrom('?%', '?limit=%zz', '?status=&status=failed', '?&&=&'),
);
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  fc.stringMatching(/^[A-Z]{1,10}$/).filter((m) => !['CONNECT', 'TRACE', 'TRACK'].includes(m)),
);
/** Header values: printable, no CR/LF/NUL (a Request refuses those). */
const headerValue = fc
  .oneof(nasty, fc.string({ maxLength: 40 }))
  .map((s) => s.replace(/[\r\n\0]/g, '').trim())
  .filter((s) => /^[\x20-\x7e]*$/.test(s));
const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constant(`Bearer ${ADMIN_TOKEN}`) },
  { weight: 3, arbitrary: fc.constant(`Bearer ${API_TOKEN}`) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(`Bearer ${AGENT_KEY}`, `bearer ${API_TOKEN} extra`, API_TOKEN, `Basic ${ADMIN_TOKEN}`, 'Bearer ', 'Bearer'),
  },
  { weight: 1, arbitrary: headerValue.map((v) => `Bearer ${v}`) },
);
const headers = fc.record(
  {
    authorization: auth,
    'content-type': fc.oneof(
      fc.constant('application/json'),
      fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'multipart/form-data', ''),
      headerValue,
    ),
    'last-event-id': headerValue,
    'x-fuzz': headerValue,
    origin: fc.constantFrom('https://evil.example.com', 'null'),
  },
  { requiredKeys: [] },
);
const input = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ content: fc.oneof(fc.string(), secret, fc.integer()) }), secret);
const body = fc.oneof(
  fc
    .record(
      {
        workflow: fc.oneof(fc.constantFrom('review', 'echo', 'doomed'), nasty),
        input,
        idempotencyKey: nasty,
        deadlineMs: fc.oneof(fc.integer(), fc.double()),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.record({ by: fc.oneof(nasty, fc.integer()) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 1, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 200 }).map((n) => `{"workflow":"echo","input":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
  secret.map((s) => JSON.stringify({ workflow: s, input: { content: s } })),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
const request = fc
  .record({
    route: fc.oneof({ weight: 4, arbitrary: knownRoute }, { weight: 1, arbitrary: fc.tuple(fc.constant('GET'), randomPath) }),
    otherMethod: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: method }),
    query,
    headers,
    body: fc.option(body, { nil: undefined }),
  })
  .map(({ route: [routeMethod, path], otherMethod, ...rest }) => ({ method: otherMethod ?? routeMethod, path, ...rest }));
type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;
/** Submits that pass validation (some with a secret in the input), so tasks run and are read back. */
const submit: fc.Arbitrary<FuzzRequest> = fc
  .record({
    workflow: fc.constantFrom('review', 'echo', 'doomed'),
    content: fc.oneof(
      fc.string(),
      secret,
      secret.map((s) => `token ${s} leaked`),
    ),
  })
  .map(({ workflow, content }) => ({
    method: 'POST',
    path: '/api/tasks',
    query: '',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workflow, input: { content } }),
  }));
const requests = fc.oneof({ weight: 1, arbitrary: submit }, { weight: 4, arbitrary: request });

/** Ids of real tasks and escalations, collected from answers, so that cancel and ack meet real ones. */
const seen = { task: [] as string[], escalation: [] as string[] };
function collect(json: unknown): void {
  const o = json as { id?: unknown; escalationIds?: unknown; tasks?: unknown };
  if (typeof o?.id === 'string' && !o.id.startsWith('esc_')) seen.task.push(o.id);
  for (const t of Array.isArray(o?.tasks) ? o.tasks : [o]) {
    const ids = (t as { escalationIds?: unknown })?.escalationIds;
    if (Array.isArray(ids)) for (const e of ids) if (typeof e === 'string') seen.escalation.push(e);
  }
}
/** The path with `$task` / `$escalation` replaced by a seen id (picked by the path's length, so runs replay). */
function materialize(path: string): string {
  return path.replace(
    /\$(task|escalation)/g,
    (_, kind: 'task' | 'escalation') => seen[kind][path.length % Math.max(1, seen[kind].length)] ?? 'none',
  );
}

function init(r: FuzzRequest): RequestInit {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) h[k] = v;
  const canHaveBody = r.method !== 'GET' && r.method !== 'HEAD';
  return { method: r.method, headers: h, ...(canHaveBody && r.body !== undefined ? { body: r.body } : {}) };
}

/** The checks every answer passes; returns the body text. */
async function check(r: FuzzRequest, res: Response): Promise<void> {
  const where = `${r.method} ${r.path}${r.query}`;
  let text = '';
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
  else text = await res.text();
  expect(res.status, `${where} → ${res.status} ${text}`).toBeLessThan(500);
  for (const s of SECRETS) {
    expect(text.includes(s), `${where} echoed a secret: ${text}`).toBe(false);
    for (const [k, v] of res.headers) expect(v.includes(s), `${where} header ${k}`).toBe(false);
  }
  if (res.headers.get('content-type')?.startsWith('application/json') && r.method !== 'HEAD') {
    const json = JSON.parse(text) as { error?: { code: unknown; message: unknown } };
    collect(json);
    if (res.status >= 400) expect(json.error, where).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  }
}

/** Sends `numRuns` random requests through `send` and checks every answer. */
async function fuzz(numRuns: number, send: (pathAndQuery: string, init: RequestInit) => Response | Promise<Response>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      let res: Response;
      try {
        res = await send(`${materialize(r.path)}${r.query}`, init(r));
      } catch (err) {
        // A Request (or fetch) refuses some methods, headers and URLs itself: no client could send those.
        if (err instanceof TypeError && !/fetch failed/.test(err.message)) return fc.pre(false);
        throw err;
      }
      await check(r, res);
    }),
    { numRuns },
  );
}

describe('random requests in-process', () => {
  let a: ApiApp;
  beforeAll(async () => {
    a = await apiApp({ config, workflows, env: ENV, app: { apiToken: API_TOKEN, adminToken: ADMIN_TOKEN } });
  });
  afterAll(async () => {
    await a?.close();
  });

  it('never answer 5xx or echo a secret', async () => {
    await fuzz(300, (path, init) => a.app.request(new Request(`http://warden.test${path}`, init)));
    // Whatever the fuzz submitted and read back: the task list holds no secret either.
    const all = await a.app.request('/api/tasks?limit=1000', { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const text = await all.text();
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).toContain('[redacted]');
  });
});

describe('random requests against warden serve', () => {
  let tmp: TempConfig;
  let warden: WardenProcess;
  beforeAll(async () => {
    tmp = await writeTempConfig({ ...config, store: 'memory:' }, workflows);
    warden = await startWarden(['--config', tmp.configPath], { env: ENV });
  });
  afterAll(async () => {
    await warden?.stop();
    await tmp?.remove();
  });

  it('never crash it, never answer 5xx, never echo a secret; it still answers afterwards', async () => {
    await fuzz(40, (path, init) => fetch(`${warden.url}${path}`, init));

    // Raw HTTP no well-behaved client sends.
    const raw = [
      'GARBAGE\r\n\r\n',
      'GET /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n',
      `POST /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"workflow":`,
      `POST /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      `GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
      'GET /%%%% HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    const port = Number(new URL(warden.url).port);
    for (const payload of raw) {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let got = '';
        socket.setTimeout(2000, () => socket.destroy());
        socket.on('data', (d) => (got += d));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
        socket.write(payload, () => setTimeout(() => socket.end(), 50));
      });
      expect(answer, payload.slice(0, 40)).not.toMatch(/^HTTP\/1\.1 5\d\d/);
      for (const s of SECRETS) expect(answer).not.toContain(s);
    }

    expect(warden.proc.exitCode).toBeNull();
    const health = await fetch(`${warden.url}/api/health`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toMatch(/^(healthy|degraded)$/);
    for (const s of SECRETS) expect(warden.stdout() + warden.stderr()).not.toContain(s);
  });
});
