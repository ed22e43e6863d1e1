/**
 * The dashboard in headless Chromium (playwright-core, the Debian chromium) against `warden
 * serve` with a memory store and the engine clock at 200× wall time. Agent `a` always answers
 * 503 and its fallback `b` always 401, so a `review` task retries, falls back, then degrades.
 * The page is opened first and never reloaded: everything after that arrives over SSE.
 *
 * Screenshots of every page go to test-output/dashboard/ (git-ignored); `npm run docs:screenshots`
 * runs this file and copies the ones the README links into docs/dashboard/, on purpose.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type RecordingServer } from '../fixtures/agents/helpers.js';
import { writeTempConfig, type TempConfig } from '../helpers/tempConfig.js';
import { api, ROOT, until } from '../helpers/warden.js';
import { startDashboard, type DashboardServer } from './dashboardServer.js';

const OUT = path.join(ROOT, 'test-output', 'dashboard');
const CLOCK_RATE = '200';
const DEGRADED = { status: 'degraded', message: 'Full AI review unavailable' };
const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

interface Transition {
  seq: number;
  from: string | null;
  to: string;
  event: string;
}
interface Task {
  id: string;
  status: string;
  state: string;
  output?: unknown;
  attempts: { agent: string; error?: { code: string } }[];
  escalationIds: string[];
}
interface Escalation {
  id: string;
  taskId: string;
  taskIds: string[];
  status: string;
}
interface Graph {
  states: { name: string }[];
  edges: { from: string; to: string }[];
}

let overloaded: RecordingServer;
let refusing: RecordingServer;
let tmp: TempConfig;
let browser: Browser;

/** Problems the page reported: uncaught errors, CSP refusals, console errors other than expected HTTP statuses. */
function watch(page: Page) {
  const problems: string[] = [];
  let loads = 0;
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every 4xx fetch; 401 (before sign-in) and 404 (no supervisor yet) are expected.
    if (/Failed to load resource: the server responded with a status of (401|404)/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('load', () => loads++);
  return { problems, loads: () => loads };
}

async function shoot(page: Page, name: string) {
  // No focus ring, toast or half-played flash in the pictures.
  await page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: { activeElement?: { blur?: () => void }; querySelectorAll(s: string): Iterable<{ remove(): void }> };
      }
    ).document;
    doc.activeElement?.blur?.();
    for (const t of doc.querySelectorAll('.toast')) t.remove();
  });
  await page.screenshot({ path: path.join(OUT, name), fullPage: true, animations: 'disabled' });
}

async function finished(url: string, id: string, headers: Record<string, string> = {}): Promise<Task> {
  return until(async () => {
    const res = await api<Task>(url, 'GET', `/api/tasks/${id}`, undefined, headers);
    return TERMINAL.has(res.body.status) ? res.body : undefined;
  });
}

async function submit(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await api<{ id: string }>(
    url,
    'POST',
    '/api/tasks',
    { workflow: 'review', input: { content: 'diff --git a/x b/x' } },
    headers,
  );
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  overloaded = await startServer((_req, res) => reply(res, 503, { error: { code: 'OVERLOADED', message: 'model server overloaded' } }));
  refusing = await startServer((_req, res) => reply(res, 401, { error: { code: 'BAD_TOKEN', message: 'invalid API key' } }));
  const policies = { timeoutMs: '1h', maxConcurrency: 4, retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 1000, jitter: 'none' } };
  tmp = await writeTempConfig(
    {
      agents: {
        a: {
          adapter: { type: 'http', url: `${overloaded.url}/run` },
          capabilities: ['code-review'],
          ...policies,
          circuitBreaker: { failureThreshold: 1000 },
        },
        // One failure opens b's circuit for a day, so the agents page has a circuit to reset.
        b: {
          adapter: { type: 'http', url: `${refusing.url}/run` },
          capabilities: ['code-review'],
          ...policies,
          circuitBreaker: { failureThreshold: 1, openMs: '24h', maxOpenMs: '24h' },
        },
      },
      fallbackChains: { a: ['b'] },
      escalation: {
        channels: { console: { type: 'log' } },
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
      },
      store: 'memory:',
    },
    [
      {
        name: 'review',
        agent: 'a',
        deadlineMs: '24h',
        severity: 'medium',
        degraded: { response: DEGRADED },
        inputSchema: { type: 'object', required: ['content'], properties: { content: { type: 'string' } } },
      },
    ],
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([overloaded?.close(), refusing?.close()]);
  await tmp?.remove();
});

describe('the dashboard, open on a wall screen', () => {
  let server: DashboardServer;
  let context: BrowserContext;
  let page: Page;
  let watcher: ReturnType<typeof watch>;
  let loadedAt: number;
  let taskId: string;

  beforeAll(async () => {
    server = await startDashboard(tmp.configPath, { WARDEN_CLOCK_RATE: CLOCK_RATE });
    context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    watcher = watch(page);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('shows a task submitted after the page opened, live and without a reload', async () => {
    await page.goto(`${server.url}/#/tasks`);
    await page.locator('#conn[data-conn="live"]').waitFor();
    await page.getByText('No tasks yet').waitFor();
    loadedAt = await page.evaluate(() => (globalThis as { __loadedAt?: number }).__loadedAt ?? 0);
    expect(loadedAt).toBeGreaterThan(0);

    taskId = await submit(server.url);
    const row = page.locator(`#tasks-table tr[data-task-id="${taskId}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('degraded');
    await expect.poll(() => row.locator('.state').textContent()).toBe('degraded');

    // Two more, so the list (and the grouped escalation) look like a real afternoon.
    const more = [await submit(server.url), await submit(server.url)];
    for (const id of more)
      await expect.poll(() => page.locator(`tr[data-task-id="${id}"]`).getAttribute('data-status'), { timeout: 30_000 }).toBe('degraded');
    await expect.poll(() => page.locator('.chip[data-status="degraded"] .n').textContent()).toBe('3');

    // Search by id narrows the list to one row, then clears.
    await page.fill('#task-search', taskId.slice(0, 12));
    await expect.poll(() => page.locator('#tasks-table tbody tr').count()).toBe(1);
    await page.fill('#task-search', 'review');
    await expect.poll(() => page.locator('#tasks-table tbody tr').count()).toBe(3);
    await page.fill('#task-search', '');

    expect(await page.evaluate(() => (globalThis as { __loadedAt?: number }).__loadedAt)).toBe(loadedAt);
    expect(watcher.loads()).toBe(1);
    await shoot(page, 'tasks.png');
  });

  it('draws the statechart with degraded current and the visited path, and the timeline in order', async () => {
    const task = await finished(server.url, taskId);
    expect(task.status).toBe('degraded');
    const { transitions } = (await api<{ transitions: Transition[] }>(server.url, 'GET', `/api/tasks/${taskId}/transitions`)).body;
    const graph = (await api<Graph>(server.url, 'GET', '/dashboard/lifecycle.json')).body;

    await page.locator(`#tasks-table tr[data-task-id="${taskId}"] td.id a`).click();
    const chart = page.locator('svg.statechart');
    await chart.locator('[data-state="degraded"]').waitFor();

    expect(await chart.locator('[data-state="degraded"]').getAttribute('class')).toMatch(/\bcurrent\b/);
    expect(await chart.locator('.state.current').count()).toBe(1);
    const visited = new Set(transitions.flatMap((t) => (t.from ? [t.from, t.to] : [t.to])));
    expect([...visited]).toEqual(expect.arrayContaining(['queued', 'routing', 'attempting', 'waiting', 'degrading', 'degraded']));
    for (const { name } of graph.states) {
      const cls = (await chart.locator(`[data-state="${name}"]`).getAttribute('class')) ?? '';
      expect(/\bvisited\b/.test(cls), `${name}: ${cls}`).toBe(visited.has(name));
    }
    // Exactly the arrows the task took are marked visited.
    const taken = new Set(transitions.filter((t) => t.from).map((t) => `${t.from}>${t.to}`));
    const marked = await chart
      .locator('path.edge.visited[data-from]')
      .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-from')}>${el.getAttribute('data-to')}`));
    expect(new Set(marked)).toEqual(taken);

    const events = await page.locator('#timeline [data-field="event"]').allTextContents();
    expect(events).toEqual(transitions.map((t) => t.event));
    const seqs = await page
      .locator('#timeline tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: { seq: string } }).dataset.seq)));
    expect(seqs).toEqual(transitions.map((t) => t.seq));

    // Attempts per agent, with their error codes.
    for (const agent of ['a', 'b']) {
      const codes = task.attempts.filter((x) => x.agent === agent).map((x) => x.error?.code ?? '');
      expect(codes.length, agent).toBeGreaterThan(0);
      expect(await page.locator(`.agent-attempts[data-agent="${agent}"] .attempt .code`).allTextContents(), agent).toEqual(codes);
    }
    await expect.poll(() => page.locator('#result h2').textContent()).toBe('Degraded response');
    expect(await page.locator('#result pre').textContent()).toContain(DEGRADED.message);
    await page.locator('.escalations-panel table.escalations tbody tr').first().waitFor();

    await shoot(page, 'task.png');
    await page.locator('section.lifecycle').screenshot({ path: path.join(OUT, 'statechart.png'), animations: 'disabled' });
  });

  it('shows each agent with its circuit, health, in-flight against the limit and error rate, and resets a circuit', async () => {
    await page.locator('#nav a[data-view="agents"]').click();
    const a = page.locator('.card[data-agent="a"]');
    const b = page.locator('.card[data-agent="b"]');
    await a.waitFor();
    expect(await a.locator('.inflight .big').textContent()).toBe('0 / 4');
    expect(await a.locator('.error-rate .big').textContent()).toBe('100%');
    expect(await a.locator('.circuit .badge').textContent()).toBe('closed');
    await expect.poll(() => b.locator('.circuit .badge').textContent()).toBe('open');
    await shoot(page, 'agents.png');

    await b.locator('button.reset').click();
    await expect.poll(() => b.locator('.circuit .badge').textContent()).toBe('closed');
    const agents = (await api<{ agents: { id: string; circuit: { state: string } }[] }>(server.url, 'GET', '/api/agents')).body.agents;
    expect(agents.find((x) => x.id === 'b')?.circuit.state).toBe('closed');
  });

  it('acknowledges an escalation from the escalations page', async () => {
    const escalation = await until(async () => {
      const list = (await api<{ escalations: Escalation[] }>(server.url, 'GET', '/api/escalations')).body.escalations;
      return list.find((e) => e.taskId === taskId || e.taskIds?.includes(taskId));
    });
    expect(escalation.status).toBe('open');

    await page.locator('#nav a[data-view="escalations"]').click();
    const row = page.locator(`table.escalations tr[data-id="${escalation.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('open');
    const open = (await api<{ escalations: Escalation[] }>(server.url, 'GET', '/api/escalations?status=open')).body.escalations;
    await expect.poll(() => page.locator('#open-escalations').textContent()).toBe(String(open.length));
    await shoot(page, 'escalations.png');

    await row.locator('button.ack').click();
    await expect
      .poll(() => page.locator(`table.escalations tr[data-id="${escalation.id}"]`).getAttribute('data-status'))
      .toBe('acknowledged');
    expect(await page.locator(`table.escalations tr[data-id="${escalation.id}"] td.status`).textContent()).toBe('acknowledged');
    const after = (await api<{ escalations: Escalation[] }>(server.url, 'GET', '/api/escalations')).body.escalations;
    expect(after.find((e) => e.id === escalation.id)?.status).toBe('acknowledged');
  });

  it("shows the supervisor's components and the health report", async () => {
    await page.locator('#nav a[data-view="supervisor"]').click();
    const sup = await api<{ components: { name: string }[] }>(server.url, 'GET', '/api/supervisor');
    expect(sup.status).toBe(200);
    const names = sup.body.components.map((c) => c.name);
    // The system checks `warden serve` runs by default (the agents here have no health check).
    expect([...names].sort()).toEqual(['system:channels', 'system:event-loop', 'system:heap', 'system:queue', 'system:store']);
    const rows = page.locator('#components tbody tr');
    await expect.poll(() => rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-component')))).toEqual(names);
    expect(await page.locator('#supervisor-unavailable').count()).toBe(0);
    const health = (await api<{ components: { name: string }[] }>(server.url, 'GET', '/api/health')).body;
    const listed = page.locator('.health-components li');
    await expect.poll(() => listed.count()).toBe(health.components.length);
    expect(await listed.evaluateAll((els) => els.map((el) => el.getAttribute('data-component')))).toEqual(
      health.components.map((c) => c.name),
    );
    for (const { name } of health.components) expect(await listed.filter({ hasText: name }).first().textContent()).toContain(name);
    await shoot(page, 'supervisor.png');
  });

  it('switches to large type for a wall screen and back', async () => {
    const isLarge = () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { document: { documentElement: { classList: { contains(c: string): boolean } } } }
        ).document.documentElement.classList.contains('large'),
      );
    await page.locator('#nav a[data-view="tasks"]').click();
    await page.locator('#tasks-table tbody tr').first().waitFor();
    const small = await page.locator('#tasks-table tbody tr').first().boundingBox();
    await page.locator('#large-toggle').click();
    expect(await isLarge()).toBe(true);
    expect(await page.locator('#large-toggle').getAttribute('aria-pressed')).toBe('true');
    const large = await page.locator('#tasks-table tbody tr').first().boundingBox();
    expect(large!.height).toBeGreaterThan(small!.height * 1.2);
    await shoot(page, 'tasks-large.png');
    await page.locator('#large-toggle').click();
    expect(await isLarge()).toBe(false);
  });

  it('never reloaded the page and logged no errors', async () => {
    expect(await page.evaluate(() => (globalThis as { __loadedAt?: number }).__loadedAt)).toBe(loadedAt);
    expect(watcher.loads()).toBe(1);
    expect(watcher.problems).toEqual([]);
  });
});

describe('the dashboard with WARDEN_API_TOKEN set', () => {
  const token = `dash-${randomBytes(12).toString('hex')}`;
  const auth = { authorization: `Bearer ${token}` };
  let server: DashboardServer;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await startDashboard(tmp.configPath, { WARDEN_CLOCK_RATE: CLOCK_RATE, WARDEN_API_TOKEN: token });
    context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('asks for the token once, keeps it in sessionStorage only, and sends it as a bearer token', async () => {
    const first = await submit(server.url, auth);
    await finished(server.url, first, auth);

    const page = await context.newPage();
    const watcher = watch(page);
    const requests: { url: string; authorization?: string }[] = [];
    page.on('request', (r) => requests.push({ url: r.url(), authorization: r.headers().authorization }));

    await page.goto(`${server.url}/`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#tasks-table tbody tr').count()).toBe(0);
    await shoot(page, 'login.png');

    await page.fill('#token', token);
    await page.locator('#login-form button[type="submit"]').click();
    await page.locator(`#tasks-table tr[data-task-id="${first}"]`).waitFor();
    expect(await page.locator('#login').isVisible()).toBe(false);

    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('warden.token'),
      ),
    ).toBe(token);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate(() => (globalThis as unknown as { location: { href: string } }).location.href)).not.toContain(token);

    // Live updates over the fetch()-based stream, which carries the token.
    await page.locator('#conn[data-conn="live"]').waitFor();
    const second = await submit(server.url, auth);
    await expect.poll(() => page.locator(`tr[data-task-id="${second}"]`).getAttribute('data-status'), { timeout: 30_000 }).toBe('degraded');

    expect(requests.every((r) => !r.url.includes(token))).toBe(true);
    const apiCalls = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    const afterSignIn = apiCalls.filter((r) => r.authorization);
    expect(afterSignIn.length).toBeGreaterThan(0);
    expect(afterSignIn.every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    expect(apiCalls.some((r) => new URL(r.url).pathname === '/api/events' && r.authorization === `Bearer ${token}`)).toBe(true);
    expect(watcher.loads()).toBe(1);
    expect(watcher.problems).toEqual([]);
  });
});
