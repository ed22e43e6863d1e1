/**
 * The CLI on a run, end to end: real agent servers speaking the HTTP agent protocol, a real
 * `warden serve` child running the `ship` workflow of the fixtures (plan, then a build per file
 * and the docs, then deploy), and `submit --wait`, `show` and `tasks` in front of it.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type RecordingServer } from './fixtures/agents/helpers.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, runCli, startWarden, until, type WardenProcess } from './helpers/warden.js';

const ship = JSON.parse(await readFile(new URL('./fixtures/runs/ship.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let planner: RecordingServer;
let builder: RecordingServer;
let writer: RecordingServer;
let deployer: RecordingServer;
let tmp: TempConfig;
let warden: WardenProcess;
const cli = (...args: string[]) => runCli([...args, '--url', warden.url]);
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
/** A live line's prefix and its event: "[build#1] ATTEMPT_FAILED". */
const prefixAndEvent = (line: string) => `${line.slice(0, line.indexOf(']') + 1)} ${line.split(/\s+/)[5]}`;

let runId = '';
let submitted: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  planner = await startServer((req, res) => {
    const { input } = JSON.parse(req.body) as { input: { files?: string[] } };
    reply(res, 200, { output: { files: input.files ?? ['a.ts', 'b.ts', 'c.ts'] } });
  });
  // b.ts fails once, transiently, then builds: its step task shows a retry.
  let bFailed = false;
  builder = await startServer((req, res) => {
    const { input } = JSON.parse(req.body) as { input: { file: string } };
    if (input.file === 'hang.ts') return; // never answers: only a cancel ends this build
    if (input.file === 'b.ts' && !bFailed) {
      bFailed = true;
      return reply(res, 503, { error: { code: 'OVERLOADED', message: 'try later' } });
    }
    reply(res, 200, { output: { built: input.file } });
  });
  // The docs step is refused for good; it fails under onFailure "continue", so the run degrades.
  writer = await startServer((_req, res) => reply(res, 422, { error: { code: 'NO_DOCS', message: 'nothing to write about' } }));
  deployer = await startServer((_req, res) => reply(res, 200, { output: { deployed: true } }));

  const policies = { timeoutMs: '1h', retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 10, jitter: 'none' } };
  tmp = await writeTempConfig(
    {
      agents: {
        planner: { adapter: { type: 'http', url: `${planner.url}/run` }, ...policies },
        builder: { adapter: { type: 'http', url: `${builder.url}/run` }, ...policies },
        writer: { adapter: { type: 'http', url: `${writer.url}/run` }, ...policies },
        deployer: { adapter: { type: 'http', url: `${deployer.url}/run` }, ...policies },
      },
      store: 'memory:',
    },
    [ship],
  );
  warden = await startWarden(['--config', tmp.configPath]);
  submitted = await cli('submit', 'ship', '--input', '{}', '--wait');
  runId = /^run (\S+) submitted \(ship\)$/.exec(lines(submitted.stdout)[0] ?? '')?.[1] ?? '';
});

afterAll(async () => {
  await warden?.stop();
  await Promise.all([planner, builder, writer, deployer].map((s) => s?.close()));
  await tmp?.remove();
});

describe('warden submit --wait of a run', () => {
  it("exits with the run's status code: degraded, since the docs step failed under onFailure continue", () => {
    expect(submitted.stderr).toBe('');
    expect(runId).not.toBe('');
    expect(submitted.code).toBe(3);
    expect(lines(submitted.stdout)).toContainEqual(
      expect.stringMatching(new RegExp(`^run ${runId} degraded \\(severity \\w+\\) in \\S+$`)),
    );
  });

  it("shows every step task's transitions live, prefixed with its step and item, and the run's own as [run]", () => {
    const live = lines(submitted.stdout).filter((l) => /^\[[^\]]+\] +\d\d:\d\d:\d\d\.\d{3} {2}/.test(l));
    const prefixes = new Set(live.map((l) => l.slice(0, l.indexOf(']') + 1)));
    expect([...prefixes].sort()).toEqual(['[build#0]', '[build#1]', '[build#2]', '[deploy]', '[docs]', '[plan]', '[run]']);
    // Each step task's timeline ends where its task ended; the retried item shows its retry.
    const last = (prefix: string) => live.filter((l) => l.startsWith(prefix)).at(-1)!;
    for (const p of ['[plan]', '[build#0]', '[build#1]', '[build#2]', '[deploy]']) expect(last(p)).toMatch(/→ completed {2}/);
    expect(last('[docs]')).toMatch(/→ failed {2}/);
    expect(live.map(prefixAndEvent)).toContain('[build#1] ATTEMPT_FAILED');
    expect(live).toContainEqual(expect.stringMatching(/^\[run\] +\S+ {2}running → running {2}STEP_RESOLVED build \(3 items\)$/));
    expect(last('[run]')).toMatch(/→ degraded {2}/);
    // A step's lines come after the run's line that started it.
    const firstOf = (prefix: string) => live.findIndex((l) => l.startsWith(prefix));
    expect(firstOf('[build#0]')).toBeGreaterThan(live.findIndex((l) => l.includes('STEP_RESOLVED build')));
  });

  it('ends with the table of the steps', () => {
    const out = lines(submitted.stdout);
    const header = out.findIndex((l) => /^step\s+status\s+items\s+agents\s+attempts\s+took\s+error$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(out.slice(header + 1, header + 5).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'plan completed',
      'build completed',
      'docs failed',
      'deploy completed',
    ]);
  });
});

describe('warden submit --wait of a cancelled run', () => {
  it('shows the cancel reach the running step task, and exits 5', async () => {
    const waiting = cli('submit', 'ship', '--input', '{"files":["hang.ts"]}', '--wait');
    const build = await until(async () => {
      const { body } = await api(warden.url, 'GET', '/api/tasks?workflow=ship&status=running&topLevel=true');
      const run = (body.tasks as { id: string }[]).find((t) => t.id !== runId);
      if (!run) return undefined;
      const step = await api(warden.url, 'GET', `/api/tasks/${run.id}.build.0`);
      return step.status === 200 && step.body.state === 'attempting' ? run.id : undefined;
    });
    expect((await api(warden.url, 'POST', `/api/tasks/${build}/cancel`)).status).toBe(200);
    const { code, stdout } = await waiting;
    expect(code).toBe(5);
    const out = lines(stdout);
    expect(out.filter((l) => l.startsWith('[build#0]')).at(-1)).toMatch(/→ cancelled {2}/);
    expect(out.filter((l) => l.startsWith('[run]')).at(-1)).toMatch(/→ cancelled {2}CANCEL/);
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^run ${build} cancelled`)));
  });
});

describe('warden show of a run', () => {
  it('prints the run, a table of its steps with agents, items, attempts and durations, then its own timeline', async () => {
    const { code, stdout } = await cli('show', runId);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out[0]).toBe(`run       ${runId}`);
    expect(out).toContainEqual(expect.stringMatching(/^status {4}degraded, severity \w+$/));
    const header = out.findIndex((l) => l.startsWith('step '));
    expect(out[header]!.split(/\s{2,}/)).toEqual(['step', 'status', 'items', 'agents', 'attempts', 'took', 'error']);
    const cells = (i: number) => out[header + i]!.split(/\s{2,}/);
    expect(cells(1)).toEqual(['plan', 'completed', 'planner', '1', expect.stringMatching(/^\d+(ms|\.\d+s)$/)]);
    expect(cells(2)).toEqual(['build', 'completed', '3', 'builder', '4', expect.stringMatching(/^\d+(ms|\.\d+s)$/)]);
    expect(cells(3)).toEqual(['docs', 'failed', '(tried writer)', '1', expect.stringMatching(/^\d+(ms|\.\d+s)$/), expect.any(String)]);
    expect(cells(4)).toEqual(['deploy', 'completed', 'deployer', '1', expect.stringMatching(/^\d+(ms|\.\d+s)$/)]);
    const timeline = out.findIndex((l) => l.startsWith('# '));
    expect(out[timeline]!.split(/\s{2,}/)).toEqual(['#', 'time', 'transition', 'event', 'step', 'error', 'in state']);
    expect(out.slice(timeline + 1).some((l) => / STEP_RESOLVED {2,}build \(3 items\)/.test(l))).toBe(true);
  });

  it('prints a step task as a task, naming its run and its step', async () => {
    const { code, stdout } = await cli('show', `${runId}.build.1`);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out[0]).toBe(`task      ${runId}.build.1`);
    expect(out).toContain(`step      build#1 of run ${runId}`);
    expect(out).toContainEqual(expect.stringMatching(/^builder\s+1\s+error\s+/));
  });

  it('prints the run, its timeline and its step tasks as JSON with --json', async () => {
    const { task, transitions, stepTasks } = JSON.parse((await cli('show', runId, '--json')).stdout);
    expect(task).toMatchObject({ id: runId, kind: 'run', status: 'degraded' });
    expect(transitions.length).toBeGreaterThan(3);
    expect(stepTasks.map((t: { id: string }) => t.id).sort()).toEqual(
      ['build.0', 'build.1', 'build.2', 'deploy', 'docs', 'plan'].map((s) => `${runId}.${s}`),
    );
  });
});

describe('warden tasks with runs', () => {
  it('lists a run with its step count and hides its step tasks', async () => {
    const out = lines((await cli('tasks')).stdout);
    expect(out[0]!.split(/\s{2,}/)).toEqual(['id', 'workflow', 'status', 'state', 'answered by', 'attempts', 'steps', 'created']);
    const row = out.find((l) => l.startsWith(`${runId} `))!;
    expect(row.slice(out[0]!.indexOf('steps')).split(/\s+/)[0]).toBe('4');
    expect(out.some((l) => l.startsWith(`${runId}.`))).toBe(false);
  });

  it('lists step tasks too with --steps, and only those of one run with --parent', async () => {
    const all = lines((await cli('tasks', '--steps')).stdout);
    expect(all[0]).toMatch(/\bstep\b/);
    expect(all.find((l) => l.startsWith(`${runId}.build.2 `))).toMatch(/\bbuild#2\b/);
    const mine = JSON.parse((await cli('tasks', '--parent', runId, '--json')).stdout) as { id: string; parentId: string }[];
    expect(mine).toHaveLength(6);
    expect(mine.every((t) => t.parentId === runId)).toBe(true);
  });
});
