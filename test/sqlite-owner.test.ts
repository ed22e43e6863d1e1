import { afterEach, describe, expect, it } from 'vitest';
import { type TempConfig, writeTempConfig } from './helpers/tempConfig.js';
import { api, runCli, startWarden, type WardenProcess } from './helpers/warden.js';

// One owner per SQLite file (CONTRACT.md section 9), with real processes: the lock must keep a
// second `warden serve` out while the first lives, and must not outlive a kill -9.

const procs: WardenProcess[] = [];
let cfg: TempConfig | undefined;

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  await cfg?.remove();
  cfg = undefined;
});

async function project() {
  cfg = await writeTempConfig({ agents: { a: { adapter: { type: 'simulated', latencyMs: [0, 0] } } }, store: 'sqlite:./w.db' }, [
    { name: 'job', agent: 'a' },
  ]);
  return cfg;
}

async function serve(configPath: string) {
  const w = await startWarden(['--config', configPath]);
  procs.push(w);
  return w;
}

describe('one owner per SQLite file', () => {
  it("refuses a second warden serve on the same file with exit 1, naming the file and the first one's pid", async () => {
    const { configPath, dir } = await project();
    const first = await serve(configPath);
    const second = await runCli(['serve', '--config', configPath, '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`error: store sqlite:${dir}/w.db is in use by process ${first.proc.pid}`);
    expect(second.stdout).not.toMatch(/listening on/);
    // The first one was not disturbed.
    expect((await api(first.url, 'POST', '/api/tasks', { workflow: 'job', input: {} })).status).toBe(202);
  });

  it('lets a new warden serve start on the file after the owner is killed with SIGKILL, keeping its tasks', async () => {
    const { configPath } = await project();
    const first = await serve(configPath);
    const { body } = await api<{ id: string }>(first.url, 'POST', '/api/tasks', { workflow: 'job', input: {} });
    expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    const second = await serve(configPath);
    expect((await api(second.url, 'GET', `/api/tasks/${body.id}`)).status).toBe(200);
  });

  it('refuses warden prune on a file a running warden serve owns, and says the server purges by itself', async () => {
    const { configPath } = await project();
    const first = await serve(configPath);
    const r = await runCli(['prune', '--config', configPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is in use by process ${first.proc.pid}`);
    expect(r.stderr).toContain('purges in the background');
  });
});
