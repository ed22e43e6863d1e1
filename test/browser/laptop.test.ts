/**
 * The dashboard on a 1,280 × 800 laptop screen, in headless Chromium against `warden serve` with
 * a memory store and the engine clock at 200× wall time: every page fits the width, no table is
 * cut off or scrolls sideways, and a task that completed after a failed attempt shows no error.
 *
 * The agents have long names, as real rosters do: `senior-backend-developer` fails each task's
 * first attempt (503) and answers the second; `senior-ai-engineer` always answers 503 and its
 * fallback `senior-full-stack-developer` 401, so a `review` task degrades and escalates.
 *
 * Screenshots go to test-output/dashboard/laptop-*.png (never to docs/).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type RecordingServer } from '../fixtures/agents/helpers.js';
import { writeTempConfig, type TempConfig } from '../helpers/tempConfig.js';
import { api, ROOT, until } from '../helpers/warden.js';
import { startDashboard, type DashboardServer } from './dashboardServer.js';

const OUT = path.join(ROOT, 'test-output', 'dashboard');
const VIEWPORT = { width: 1280, height: 800 };
const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);
const LONG_NAME = 'operator-with-a-long-name@example.com';

interface Task {
  id: string;
  status: string;
  error?: { code: string };
  attempts: { outcome: string; error?: { code: string } }[];
  escalationIds: string[];
}

let agents: RecordingServer;
let tmp: TempConfig;
let browser: Browser;

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  agents = await startServer((req, res) => {
    const body = JSON.parse(req.body) as { agent: string; attempt: number; taskId: string };
    if (body.agent === 'senior-backend-developer') {
      if (body.attempt === 1) reply(res, 503, { error: { code: 'OVERLOADED', message: 'model server overloaded' } });
      else reply(res, 200, { output: { summary: `reviewed ${body.taskId}`, attempt: body.attempt } });
    } else if (body.agent === 'senior-ai-engineer') reply(res, 503, { error: { code: 'OVERLOADED', message: 'model server overloaded' } });
    else reply(res, 401, { error: { code: 'BAD_TOKEN', message: 'invalid API key' } });
  });
  const agent = {
    adapter: { type: 'http', url: `${agents.url}/run` },
    timeoutMs: '1h',
    retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 1000, jitter: 'none' },
    circuitBreaker: { failureThreshold: 1000 },
  };
  tmp = await writeTempConfig(
    {
      agents: { 'senior-backend-developer': agent, 'senior-ai-engineer': agent, 'senior-full-stack-developer': agent },
      fallbackChains: { 'senior-ai-engineer': ['senior-full-stack-developer'] },
      escalation: {
        channels: { console: { type: 'log' } },
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
        dedupWindowMs: 0,
      },
      store: 'memory:',
    },
    [
      { name: 'summarize-pull-request', agent: 'senior-backend-developer', deadlineMs: '24h' },
      {
        name: 'review',
        agent: 'senior-ai-engineer',
        deadlineMs: '24h',
        degraded: { response: { status: 'degraded', message: 'Full AI review unavailable' } },
      },
      {
        name: 'ship-change',
        deadlineMs: '24h',
        steps: { plan: { agent: 'senior-backend-developer' }, build: { agent: 'senior-backend-developer', needs: ['plan'] } },
      },
    ],
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await agents?.close();
  await tmp?.remove();
});

/**
 * What does not fit the page: the document wider than the window, and every table whose wrapper
 * scrolls sideways (its columns cut off until scrolled), named by the table's class.
 */
function overflow(page: Page) {
  return page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: {
          documentElement: { scrollWidth: number; clientWidth: number };
          querySelectorAll(
            s: string,
          ): Iterable<{ scrollWidth: number; clientWidth: number; querySelector(s: string): { className: string } | null }>;
        };
      }
    ).document;
    const root = doc.documentElement;
    const cut = [...doc.querySelectorAll('.table-wrap')]
      .filter((w) => w.scrollWidth > w.clientWidth + 1)
      .map((w) => `${w.querySelector('table')?.className || 'table'}: ${w.scrollWidth}px in ${w.clientWidth}px`);
    return { page: root.scrollWidth > root.clientWidth ? `${root.scrollWidth}px in ${root.clientWidth}px` : '', cut };
  });
}

async function settled(url: string, id: string): Promise<Task> {
  return until(async () => {
    const res = await api<Task>(url, 'GET', `/api/tasks/${id}`);
    return TERMINAL.has(res.body.status) ? res.body : undefined;
  });
}

async function submit(url: string, workflow: string): Promise<string> {
  const res = await api<{ id: string }>(url, 'POST', '/api/tasks', { workflow, input: { content: 'diff --git a/x b/x' } });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

describe('the dashboard at 1280 × 800', () => {
  let server: DashboardServer;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let recovered: Task;
  let run: Task;
  let escalated: Task;

  beforeAll(async () => {
    server = await startDashboard(tmp.configPath, { WARDEN_CLOCK_RATE: '200' });
    context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (401|404)/.test(m.text())) problems.push(`console: ${m.text()}`);
    });

    recovered = await settled(server.url, await submit(server.url, 'summarize-pull-request'));
    run = await settled(server.url, await submit(server.url, 'ship-change'));
    const degraded = await Promise.all([1, 2, 3].map(async () => settled(server.url, await submit(server.url, 'review'))));
    // One escalation of each status, the handled ones by someone with a long name.
    escalated = degraded[0]!;
    const [open, acked, resolved] = degraded.map((t) => t.escalationIds[0]!);
    expect(new Set([open, acked, resolved]).size).toBe(3);
    expect((await api(server.url, 'POST', `/api/escalations/${acked}/ack`, { by: LONG_NAME })).status).toBe(200);
    expect((await api(server.url, 'POST', `/api/escalations/${resolved}/resolve`, { by: LONG_NAME })).status).toBe(200);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('records no error on a task that completed after a failed attempt, and its row shows none', async () => {
    expect(recovered.status).toBe('completed');
    expect(recovered.attempts.map((a) => a.error?.code ?? a.outcome)).toEqual(['AGENT_UNAVAILABLE', 'ok']);
    expect(recovered).not.toHaveProperty('error');

    await page.goto(`${server.url}/#/tasks`);
    const row = page.locator(`#tasks-table tr[data-task-id="${recovered.id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('completed');
    expect(await row.locator('td.error').textContent()).toBe('');
    // A degraded task still shows its error code.
    expect(await page.locator('#tasks-table tr[data-status="degraded"] td.error').first().textContent()).not.toBe('');
  });

  it.each([
    ['tasks', () => '#/tasks', '#tasks-table tbody tr'],
    ['task', () => `#/tasks/${recovered.id}`, '#timeline tbody tr'],
    ['degraded-task', () => `#/tasks/${escalated.id}`, '.escalations-panel table.escalations tbody tr'],
    ['run', () => `#/tasks/${run.id}`, 'svg.rungraph a.step'],
    ['agents', () => '#/agents', '.card[data-agent]'],
    ['escalations', () => '#/escalations', 'table.escalations tbody tr'],
    ['supervisor', () => '#/supervisor', '.health-components li'],
  ])('fits the %s page in the width, no column cut off', async (name, hash, ready) => {
    await page.goto(`${server.url}/${hash()}`);
    await page.locator(ready).first().waitFor();
    await page.screenshot({ path: path.join(OUT, `laptop-${name}.png`), fullPage: true, animations: 'disabled' });
    expect(await overflow(page)).toEqual({ page: '', cut: [] });
  });

  it('logged no errors', () => {
    expect(problems).toEqual([]);
  });
});
