/**
 * A run in the dashboard, in headless Chromium against `warden serve` with a memory store: the
 * workflow of test/fixtures/workflows/ship.json, whose `docs` step fails (its writer refuses with
 * 401) under `onFailure: "continue"`, and whose `deploy` step is held by its agent until the test
 * lets it answer, so the page can be seen to follow the run live. The page is opened once and
 * never reloaded.
 *
 * A screenshot goes to test-output/dashboard/run.png (never to docs/).
 */
import type { ServerResponse } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type RecordingServer } from '../fixtures/agents/helpers.js';
import { writeTempConfig, type TempConfig } from '../helpers/tempConfig.js';
import { api, ROOT, until } from '../helpers/warden.js';
import { startDashboard, type DashboardServer } from './dashboardServer.js';

const OUT = path.join(ROOT, 'test-output', 'dashboard');
const SHIP = JSON.parse(await readFile(new URL('../fixtures/workflows/ship.json', import.meta.url), 'utf8'));
const FILES = ['a.ts', 'b.ts', 'c.ts'];
const STEPS = ['plan', 'build', 'docs', 'deploy'];

interface Task {
  id: string;
  status: string;
  steps?: Record<string, { status: string; taskIds: string[] }>;
}

let agents: RecordingServer;
let tmp: TempConfig;
let browser: Browser;
/** The deployer's calls, answered when the test says so. */
const heldDeploys: ServerResponse[] = [];

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  agents = await startServer((req, res) => {
    const body = JSON.parse(req.body) as { agent: string; input: { file?: string } };
    if (body.agent === 'planner') reply(res, 200, { output: { files: FILES } });
    else if (body.agent === 'builder') reply(res, 200, { output: { built: body.input.file } });
    else if (body.agent === 'writer') reply(res, 401, { error: { code: 'BAD_TOKEN', message: 'invalid API key' } });
    else heldDeploys.push(res);
  });
  const agent = { adapter: { type: 'http', url: `${agents.url}/run` }, timeoutMs: '1h', retry: { maxAttempts: 1 } };
  tmp = await writeTempConfig(
    {
      agents: { planner: agent, builder: agent, writer: agent, deployer: agent },
      escalation: { channels: { console: { type: 'log' } }, severities: { medium: { channels: ['console'] } } },
      store: 'memory:',
    },
    [SHIP],
  );
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const res of heldDeploys.splice(0)) res.destroy();
  await agents?.close();
  await tmp?.remove();
});

describe('a run in the dashboard', () => {
  let server: DashboardServer;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let loads = 0;
  let runId: string;

  beforeAll(async () => {
    server = await startDashboard(tmp.configPath, {});
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (401|404)/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('load', () => loads++);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('lists the run with its step count, its step tasks only behind the toggle', async () => {
    await page.goto(`${server.url}/#/tasks`);
    await page.locator('#conn[data-conn="live"]').waitFor();
    const res = await api<{ id: string }>(server.url, 'POST', '/api/tasks', { workflow: 'ship', input: {} });
    expect(res.status, res.text).toBe(202);
    runId = res.body.id;
    // The deploy step waits on its agent, so every other step has a task by then.
    await until(async () => heldDeploys.length > 0);

    const row = page.locator(`#tasks-table tr[data-task-id="${runId}"]`);
    await expect.poll(() => row.locator('.run-tag').textContent(), { timeout: 30_000 }).toBe('run · 4 steps');
    const stepRows = page.locator(`#tasks-table tr[data-task-id^="${runId}."]`);
    expect(await stepRows.count()).toBe(0);

    await page.locator('#show-steps').click();
    await page.locator(`#tasks-table tr[data-task-id="${runId}.docs"]`).waitFor();
    expect(await page.locator(`#tasks-table tr[data-task-id="${runId}.docs"] .step-tag`).textContent()).toBe('step docs');
    expect(await stepRows.count()).toBeGreaterThanOrEqual(1 + FILES.length + 1);
    await page.locator('#show-steps').click();
    await expect.poll(() => stepRows.count()).toBe(0);
  });

  it("draws the run's steps live: every step a node, the failed one marked, a forEach with done/total", async () => {
    await page.locator(`#tasks-table tr[data-task-id="${runId}"] td.id a`).click();
    const graph = page.locator('svg.rungraph');
    const node = (step: string) => graph.locator(`a.step[data-step="${step}"]`);
    await expect.poll(() => node('deploy').getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    expect(await graph.locator('a.step').evaluateAll((els) => els.map((el) => el.getAttribute('data-step')))).toEqual(STEPS);
    expect(await graph.locator('g.edge').count()).toBe(4);

    expect(await node('docs').getAttribute('data-status')).toBe('failed');
    expect(await node('docs').getAttribute('class')).toMatch(/\bstatus-failed\b/);
    expect(await node('plan').getAttribute('data-status')).toBe('completed');
    expect(await node('build').getAttribute('data-status')).toBe('completed');
    expect(await node('build').locator('.progress').textContent()).toBe(`${FILES.length}/${FILES.length}`);
    // Failed is drawn in the failure colour, unlike completed.
    const stroke = (step: string) =>
      node(step)
        .locator('rect.box')
        .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }).getComputedStyle(el).stroke);
    expect(await stroke('docs')).not.toBe(await stroke('plan'));

    // The deployer answers now: the page follows over the event stream.
    for (const res of heldDeploys.splice(0)) reply(res, 200, { output: { deployed: true } });
    await expect.poll(() => node('deploy').getAttribute('data-status'), { timeout: 30_000 }).toBe('completed');
    const run = await until(async () => {
      const t = (await api<Task>(server.url, 'GET', `/api/tasks/${runId}`)).body;
      return t.status === 'degraded' ? t : undefined;
    });
    await expect.poll(() => page.locator('.task-head .badge').first().textContent()).toBe('degraded');
    for (const step of STEPS) expect(await node(step).getAttribute('data-status'), step).toBe(run.steps?.[step]?.status);
    expect(await page.locator('#timeline tbody tr').count()).toBeGreaterThan(0);
    // The steps table links every item of the forEach step.
    const items = page.locator('#run-steps tr[data-step="build"] .item-links a');
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute('href')))).toEqual(
      FILES.map((_, i) => `#/tasks/${encodeURIComponent(`${runId}.build.${i}`)}`),
    );
    expect(await page.locator('#run-steps tr[data-step="docs"]').getAttribute('data-status')).toBe('failed');
    await page.screenshot({ path: path.join(OUT, 'run.png'), fullPage: true, animations: 'disabled' });
  });

  it("leads from a step's node to its task, and from the step's task back to its run", async () => {
    await page.locator(`svg.rungraph a.step[data-step="docs"]`).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/tasks/${encodeURIComponent(`${runId}.docs`)}`);
    await page.locator(`.task-page[data-task-id="${runId}.docs"] .task-head`).waitFor();
    expect(await page.locator('.task-head .badge').first().textContent()).toBe('failed');

    await page.locator('#back-to-run').click();
    await page.locator('svg.rungraph a.step[data-step="build"][href]').waitFor();
    await page.locator('svg.rungraph a.step[data-step="build"]').click();
    // A forEach step links to its first item's task.
    await page.locator(`.task-page[data-task-id="${runId}.build.0"] .task-head`).waitFor();
  });

  it('never reloaded the page and logged no errors', () => {
    expect(loads).toBe(1);
    expect(problems).toEqual([]);
  });
});
