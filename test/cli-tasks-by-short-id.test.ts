/**
 * The CLI as a new user meets it, against a real `warden serve` (memory store): `warden
 * workflows`, `show` and `cancel` with the short ids the task list shows, and `cancel` of a task
 * that has ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, runCli, startWarden, until, type WardenProcess } from './helpers/warden.js';

let tmp: TempConfig;
let warden: WardenProcess;
const cli = (...args: string[]) => runCli([...args, '--url', warden.url]);
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

beforeAll(async () => {
  tmp = await writeTempConfig(
    {
      agents: {
        quick: { adapter: { type: 'simulated', latencyMs: 0, output: { ok: true } } },
        sleeper: { adapter: { type: 'simulated', latencyMs: '1h' }, timeoutMs: '2h' },
      },
      store: 'memory:',
    },
    [
      { name: 'echo', agent: 'quick', deadlineMs: '5m' },
      { name: 'slow', agent: 'sleeper', deadlineMs: '3h', severity: 'high' },
      { name: 'ship', steps: { plan: { agent: 'quick' }, build: { agent: 'quick', needs: ['plan'] } } },
    ],
  );
  warden = await startWarden(['--config', tmp.configPath]);
});

afterAll(async () => {
  await warden?.stop();
  await tmp?.remove();
});

async function submit(workflow: string): Promise<string> {
  const res = await api<{ id: string }>(warden.url, 'POST', '/api/tasks', { workflow, input: {} });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

async function ended(id: string): Promise<{ id: string; status: string }> {
  return until(async () => {
    const res = await api<{ id: string; status: string }>(warden.url, 'GET', `/api/tasks/${id}`);
    return TERMINAL.has(res.body.status) ? res.body : undefined;
  });
}

describe('warden workflows', () => {
  it('lists every workflow with its kind, what it runs, its deadline and severity', async () => {
    const { code, stdout, stderr } = await cli('workflows');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const table = lines(stdout).map((l) => l.split(/\s{2,}/));
    expect(table).toEqual([
      ['workflow', 'kind', 'runs', 'deadline', 'severity'],
      ['echo', 'task', 'agent quick', '5m00s', 'medium'],
      ['ship', 'run', 'steps plan, build', '10m00s', 'medium'],
      ['slow', 'task', 'agent sleeper', '180m00s', 'high'],
    ]);
  });

  it('prints the workflows as JSON with --json', async () => {
    const { code, stdout } = await cli('workflows', '--json');
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { name: string; kind: string; steps?: string[] }[];
    expect(list.map((w) => [w.name, w.kind, w.steps])).toEqual([
      ['echo', 'task', undefined],
      ['ship', 'run', ['plan', 'build']],
      ['slow', 'task', undefined],
    ]);
  });
});

describe('short task ids', () => {
  it('shows a task by the short id the dashboard shows (its first 13 characters)', async () => {
    const id = await submit('echo');
    await ended(id);
    const { code, stdout, stderr } = await cli('show', id.slice(0, 13));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)[0]).toBe(`task      ${id}`);
  });

  it("shows a run's step task as <short run id>.<step>", async () => {
    const run = await submit('ship');
    await ended(run);
    const { code, stdout } = await cli('show', `${run.slice(0, 8)}.build`, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).task).toMatchObject({ id: `${run}.build`, step: 'build', status: 'completed' });
  });

  it('says no task has an id that is too short to look up', async () => {
    const { code, stderr } = await cli('show', 'abc');
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('error: no task abc (TASK_NOT_FOUND)');
  });
});

describe('warden cancel', () => {
  it('cancels a running task by its short id', async () => {
    const id = await submit('slow');
    const { code, stdout, stderr } = await cli('cancel', id.slice(0, 8));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`task ${id} cancelled (slow)`);
    expect((await ended(id)).status).toBe('cancelled');
  });

  it('refuses a task that has ended, saying how it ended, and exits 1', async () => {
    const id = await submit('echo');
    expect((await ended(id)).status).toBe('completed');
    const { code, stdout, stderr } = await cli('cancel', id);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(`error: task ${id} has already ended: completed (TASK_ENDED)`);
  });
});
