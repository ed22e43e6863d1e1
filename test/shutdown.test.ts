import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { api, runCli, startWarden, until, type WardenProcess } from './helpers/warden.js';

/** An agent that answers after `latencyMs` of real time: the work in flight at shutdown. */
function slowAgent(latencyMs: number) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(String(req.headers['x-warden-task-id']));
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"output":{"ok":true}}'), latencyMs);
  });
  return new Promise<{ url: string; seen: string[]; server: Server }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, seen, server })),
  );
}

let dir: string;
const procs: WardenProcess[] = [];
const servers: Server[] = [];

async function project(agentUrl: string) {
  dir = await mkdtemp(join(tmpdir(), 'warden-shutdown-'));
  await mkdir(join(dir, 'workflows'));
  await writeFile(
    join(dir, 'agents.config.json'),
    JSON.stringify({ agents: { slow: { adapter: { type: 'http', url: agentUrl } } }, store: 'sqlite:./w.db' }),
  );
  await writeFile(join(dir, 'workflows', 'job.json'), JSON.stringify({ name: 'job', agent: 'slow' }));
  return join(dir, 'agents.config.json');
}

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('lets in-flight tasks finish, answers new submits with 503 while draining, and exits 0', async () => {
    const agent = await slowAgent(1_500);
    servers.push(agent.server);
    const config = await project(agent.url);
    const w = await startWarden(['--config', config]);
    procs.push(w);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api(w.url, 'POST', '/api/tasks', { workflow: 'job', input: { i } })).body.id);
    await until(async () => agent.seen.length === 4);

    const raced: string[] = [];
    w.proc.kill('SIGTERM');
    const refused = await until(
      async () => {
        const r = await api(w.url, 'POST', '/api/tasks', { workflow: 'job', input: {} }).catch(() => undefined);
        // A submit that beat the signal was accepted: it may be parked by the drain, and must finish after the restart.
        if (r?.status === 202) raced.push(r.body.id);
        return r && r.status === 503 ? r : undefined;
      },
      1_000,
      10,
    );
    expect(refused.body.error.code).toBe('ENGINE_STOPPING');
    const exit = await w.exited;
    expect(exit.code).toBe(0);

    // Every task that was in flight finished before the exit: a restart has nothing to recover.
    const again = await startWarden(['--config', config]);
    procs.push(again);
    for (const id of ids) {
      const t = await api(again.url, 'GET', `/api/tasks/${id}`);
      expect(t.body.status).toBe('completed');
      const tr = await api(again.url, 'GET', `/api/tasks/${id}/transitions`);
      expect(tr.body.transitions.some((x: { event: string }) => x.event === 'RECOVERED')).toBe(false);
    }
    for (const id of raced)
      await until(async () => (await api(again.url, 'GET', `/api/tasks/${id}`)).body.status === 'completed', 20_000, 50);
    expect((await api(again.url, 'GET', '/api/tasks')).body.tasks).toHaveLength(ids.length + raced.length);
  });

  it('parks attempts that outlast the drain timeout, and finishes them after the restart', async () => {
    const agent = await slowAgent(2_500);
    servers.push(agent.server);
    const config = await project(agent.url);
    const w = await startWarden(['--config', config, '--drain-timeout', '100']);
    procs.push(w);
    const { body } = await api(w.url, 'POST', '/api/tasks', { workflow: 'job', input: {} });
    await until(async () => agent.seen.length === 1);
    expect((await w.stop('SIGTERM')).code).toBe(0);

    const again = await startWarden(['--config', config]);
    procs.push(again);
    const task = await until(
      async () => {
        const t = await api(again.url, 'GET', `/api/tasks/${body.id}`);
        return t.body.status === 'completed' ? t.body : undefined;
      },
      20_000,
      50,
    );
    expect(task.attempts.filter((a: { outcome: string }) => a.outcome === 'ok')).toHaveLength(1);
    const tr = await api(again.url, 'GET', `/api/tasks/${body.id}/transitions`);
    expect(tr.body.transitions.map((x: { event: string }) => x.event)).toContain('RECOVERED');
    expect(agent.seen.filter((id) => id === body.id)).toHaveLength(2);
  });
});

describe('a bad store', () => {
  it('refuses a store file of a newer schema version with a clear message and exit 1', async () => {
    const config = await project('http://127.0.0.1:9/');
    const db = new DatabaseSync(join(dir, 'w.db'));
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('app', 'warden'); PRAGMA user_version = 999;");
    db.close();
    const r = await runCli(['serve', '--config', config, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/schema version 999, newer than this Warden/);
    expect(r.stdout).not.toMatch(/listening on/);
    expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('refuses a file that is not a Warden database', async () => {
    const config = await project('http://127.0.0.1:9/');
    await writeFile(join(dir, 'w.db'), 'this is not a database\n'.repeat(100));
    const r = await runCli(['serve', '--config', config, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a Warden SQLite database/);
  });

  it('refuses an unwritable store path with a clear message and exit 1', async () => {
    const config = await project('http://127.0.0.1:9/');
    const r = await runCli(['serve', '--config', config, '--port', '0', '--store', `sqlite:${join(dir, 'no', 'such', 'dir', 'w.db')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot open store sqlite:.*does not exist/);
    expect(r.stdout).not.toMatch(/listening on/);
  });
});
