import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, until } from './helpers/warden.js';

// The README's tour, as a new user would run it: `npm start`, then the CLI against it.
// (`--port 0 --store memory:` are passed through npm so the test neither fights over 8080 nor
// leaves a warden.db behind; the script itself is the README's.)

let server: ChildProcess | undefined;
let url = '';

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    // npm does not pass signals on to its script: signal the whole process group instead,
    // as a terminal's Ctrl-C does, so warden drains and stops its managed agent.
    const exited = new Promise((r) => server!.once('exit', r));
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  }
});

describe('the README tour', () => {
  it('npm start serves the example roster and the dashboard', async () => {
    server = spawn('npm', ['start', '--silent', '--', '--port', '0', '--store', 'memory:'], {
      cwd: ROOT,
      env: { ...process.env, WARDEN_LOG_LEVEL: 'warn' },
      detached: true, // its own process group, so the whole tree can be stopped together
    });
    let out = '';
    server.stdout!.on('data', (d) => (out += d));
    server.stderr!.on('data', (d) => (out += d));
    url = await until(async () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 30_000, 50);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const { agents } = (await (await fetch(`${url}/api/agents`)).json()) as { agents: { id: string }[] };
    expect(agents.map((a) => a.id)).toContain('senior-backend-developer');
  });

  it('submit --wait shows the transitions and exits with the outcome', async () => {
    const r = await runCli([
      'submit',
      'code-review',
      '--input',
      '{"content":"function add(a, b) { return a + b }"}',
      '--wait',
      '--url',
      url,
    ]);
    expect([0, 3]).toContain(r.code); // completed, or degraded when every simulated agent failed
    expect(r.stdout).toMatch(/∅ → queued\s+SUBMIT/);
    expect(r.stdout).toMatch(/routing → attempting\s+ROUTED senior-backend-developer#1/);
    expect(r.stdout).toMatch(/task \S+ (completed|degraded)/);
  });

  it('tasks, show, agents and escalations answer', async () => {
    const tasks = await runCli(['tasks', '--url', url, '--json']);
    expect(tasks.code).toBe(0);
    const [first] = JSON.parse(tasks.stdout) as { id: string }[];
    const show = await runCli(['show', first!.id, '--url', url]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(first!.id);
    expect((await runCli(['agents', '--url', url])).stdout).toMatch(/senior-backend-developer/);
    expect((await runCli(['escalations', '--url', url])).code).toBe(0);
  });

  it('an idempotency key returns the first task', async () => {
    const args = [
      'submit',
      'deployment',
      '--input',
      '{"service":"api","version":"1.4.2"}',
      '--idempotency-key',
      'deploy-api-1.4.2',
      '--url',
      url,
    ];
    const a = await runCli(args);
    const b = await runCli(args);
    expect(a.code).toBe(0);
    expect(b.stdout.trim()).toBe(a.stdout.trim());
  });

  it('submit --wait runs the multi-step example to completion, and show, tasks --parent and ?parent= name its steps', async () => {
    const input = JSON.stringify({
      spec: 'Add a dark mode',
      service: 'web',
      files: [
        { path: 'src/theme.ts', diff: '+export const dark = true' },
        { path: 'src/app.tsx', diff: '+<Theme dark />' },
      ],
    });
    const submitted = await runCli(['submit', 'ship-change', '--wait', '--input', input, '--url', url]);
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0); // every step can fall back to a reliable agent: the run completes
    const runId = /(?:task|run) (\S+) submitted \(ship-change\)/.exec(submitted.stdout)?.[1];
    if (!runId) throw new Error(`no run id in:\n${submitted.stdout}`);
    const steps = ['plan', 'backend', 'frontend', 'review', 'deploy'];

    const run = (await (await fetch(`${url}/api/tasks/${runId}`)).json()) as {
      kind: string;
      status: string;
      steps: Record<string, { status: string }>;
    };
    expect(run).toMatchObject({ kind: 'run', status: 'completed' });
    expect(Object.keys(run.steps)).toEqual(steps);
    for (const step of steps) expect(run.steps[step]?.status).toBe('completed');

    const show = await runCli(['show', runId, '--url', url]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(runId);
    for (const step of steps) expect(show.stdout).toContain(step);

    const stepTaskIds = ['plan', 'backend', 'frontend', 'review.0', 'review.1', 'deploy'].map((s) => `${runId}.${s}`);
    const listed = await runCli(['tasks', '--parent', runId, '--url', url]);
    expect(listed.code).toBe(0);
    for (const id of stepTaskIds) expect(listed.stdout).toContain(id);
    const { tasks } = (await (await fetch(`${url}/api/tasks?parent=${runId}`)).json()) as { tasks: { id: string }[] };
    expect(tasks.map((t) => t.id).sort()).toEqual(stepTaskIds.sort());
  });

  it('channels test sends a test notification through the example channel', async () => {
    const r = await runCli(['channels', 'test', 'console', '--url', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^test notification sent to console \(log\): log:test:\S+\n$/);
  });

  it('validate and drill run on the example roster', async () => {
    const v = await runCli(['validate']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/agents\.config\.json: \d+ agents/);
    expect(v.stdout).toContain('workflows/ship-change.json: workflow ship-change → 5 steps: plan, backend, frontend, review, deploy');
    const d = await runCli(['drill', '--scenario', 'outage', '--tasks', '10']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/code-review/);
  });
});
