/**
 * Runs across kill -9: 50 runs of a five-step workflow with a forEach, on a SQLite file, while
 * `warden serve` is killed five times at seeded moments and started again each time. Every run
 * must end exactly once, every step task must be created once, and every (run, step, item) must
 * reach its agent under one idempotency key only, again only after a kill.
 *
 * The moments are seeded: `WARDEN_TEST_SEED=<n>` replays a seed (the test prints the one it used).
 * A kill comes as the n-th agent call of the seed's schedule arrives, so it always lands with
 * calls in flight, and nothing here waits on a fixed sleep: every wait is for a condition.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSeed, mulberry32 } from '../src/drill/mulberry32.js';
import type { Task, Transition } from '../src/lifecycle/types.js';
import { AgentFleet, type FleetCall, type FleetHandler, ok, pause } from './helpers/agentFleet.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

const RUNS = 50;
const KILLS = 5;
const MAX_PARALLEL = 3;
const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

const SEED = Number(process.env.WARDEN_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = mulberry32(hashSeed(SEED, 'runs-crash'));
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** Each run's item count, from the seed. */
const ITEMS = Array.from({ length: RUNS }, () => between(2, 5));
/** The agent calls a run makes when nothing is repeated: fetch, one per item, check, merge, publish. */
const CALLS = ITEMS.reduce((sum, n) => sum + n + 4, 0);
/** Kill as the n-th call since the last start arrives: early enough that the five land before the work is done. */
const KILL_AFTER = Array.from({ length: KILLS }, () => between(10, Math.floor(CALLS / (KILLS + 2))));

/** The step tasks a run has, with the agent of each. */
function expectedCalls(runId: string, items: number): Map<string, string> {
  const ids = new Map<string, string>([
    [`${runId}.fetch`, 'fetcher'],
    [`${runId}.check`, 'checker'],
    [`${runId}.merge`, 'merger'],
    [`${runId}.publish`, 'publisher'],
  ]);
  for (let i = 0; i < items; i++) ids.set(`${runId}.process.${i}`, 'processor');
  return ids;
}

/** Every agent takes a while (seeded per key and process, so a replay is close), then answers from its input. */
const agent =
  (name: string): FleetHandler =>
  async (call) => {
    await pause(20 + (hashSeed(SEED, call.key, call.process) % 130));
    if (name === 'fetcher') return ok({ items: Array.from({ length: Number(call.input.items) }, (_, i) => `item-${i}`) });
    return ok({ by: name, task: call.taskId });
  };

const pipeline = {
  name: 'pipeline',
  inputSchema: { type: 'object', required: ['items'] },
  steps: {
    fetch: { agent: 'fetcher', input: "{ 'items': input.items }" },
    process: {
      agent: 'processor',
      needs: ['fetch'],
      forEach: 'steps.fetch.output.items',
      maxParallel: MAX_PARALLEL,
      input: "{ 'item': item }",
    },
    check: { agent: 'checker', needs: ['fetch'] },
    merge: { agent: 'merger', needs: ['process', 'check'], input: "{ 'count': $count(steps.process.output) }" },
    publish: { agent: 'publisher', needs: ['merge'] },
  },
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let fleet: AgentFleet | undefined;
let tmp: TempConfig | undefined;
let dbDir: string | undefined;
let warden: WardenProcess | undefined;

afterAll(async () => {
  await warden?.stop('SIGKILL');
  await fleet?.close();
  await tmp?.remove();
  if (dbDir) await rm(dbDir, { recursive: true, force: true });
});

describe('runs across kill -9', () => {
  it('ends every run once, creates every step task once, and calls each (run, step, item) under one key', async () => {
    console.log(
      `runs-crash: seed ${SEED} (replay with WARDEN_TEST_SEED=${SEED}); kills after ${KILL_AFTER.join(', ')} calls of about ${CALLS}`,
    );
    fleet = await AgentFleet.start({
      fetcher: agent('fetcher'),
      processor: agent('processor'),
      checker: agent('checker'),
      merger: agent('merger'),
      publisher: agent('publisher'),
    });
    const policies = {
      timeoutMs: '1m',
      maxConcurrency: 25,
      maxQueue: 10_000,
      retry: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 200 },
    };
    const agents = Object.fromEntries(
      ['fetcher', 'processor', 'checker', 'merger', 'publisher'].map((id) => [
        id,
        // Each process sends its own number, so the agents know which process made a call.
        { adapter: { type: 'http', url: fleet!.url(id), headersEnv: { 'x-warden-process': 'WARDEN_TEST_PROCESS' } }, ...policies },
      ]),
    );
    tmp = await writeTempConfig({ agents, store: 'memory:' }, [pipeline]);
    dbDir = await mkdtemp(path.join(tmpdir(), 'warden-runs-crash-'));
    const port = await freePort();
    const args = ['--config', tmp.configPath, '--port', String(port), '--store', `sqlite:${path.join(dbDir, 'warden.db')}`];
    const base = `http://127.0.0.1:${port}`;
    // Starting takes a while on a loaded machine: the process recovers every unfinished task first.
    const start = (n: number) => startWarden(args, { env: { WARDEN_TEST_PROCESS: String(n) }, timeoutMs: 60_000 });
    warden = await start(0);

    // The client submits every run under an idempotency key and, while Warden is down (the
    // connection is refused), tries the same key again until a process answers. Whatever it
    // answers ends the tries; the answers are checked below.
    const answers = new Map<number, { status: number; id: string }>();
    const submitter = (async () => {
      for (let i = 0; i < RUNS; i++) {
        const body = { workflow: 'pipeline', input: { items: ITEMS[i] }, idempotencyKey: `pipeline-${i}` };
        const r = await until(async () => api<{ id: string }>(base, 'POST', '/api/tasks', body).catch(() => undefined), 120_000, 10);
        answers.set(i, { status: r.status, id: r.body?.id });
      }
    })();

    // The killer: each kill comes as the n-th agent call since the last start arrives, before
    // that call can be answered (the kill is sent in the same turn; an agent takes 20 ms at least).
    const cutOff: FleetCall[] = [];
    let kills = 0;
    for (const after of KILL_AFTER) {
      const target = fleet.calls.length + after;
      await fleet.untilCalls(target);
      cutOff.push(fleet.calls[target - 1]!);
      const exit = await warden.stop('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      kills++;
      warden = await start(kills);
    }
    await submitter;

    // Every run accepted once, under one id.
    expect([...answers.values()].filter((a) => a.status !== 202 && a.status !== 200)).toEqual([]);
    const runIds = new Map([...answers].map(([i, a]) => [i, a.id]));
    expect(new Set(runIds.values()).size).toBe(RUNS);

    const runs = await until(
      async () => {
        const { body } = await api<{ tasks: Task[] }>(base, 'GET', '/api/tasks?topLevel=true&limit=1000');
        return body.tasks.every((t) => TERMINAL.has(t.status)) && body.tasks.length >= RUNS ? body.tasks : undefined;
      },
      120_000,
      100,
    );
    expect(kills).toBe(KILLS);
    // No run was accepted twice (a lost answer's retry under the same key returns the first run).
    expect(runs.map((r) => r.id).sort()).toEqual([...runIds.values()].sort());

    const transitionsOf = async (id: string) =>
      (await api<{ transitions: Transition[] }>(base, 'GET', `/api/tasks/${id}/transitions`)).body.transitions;
    const terminal = (ts: Transition[]) => ts.filter((t) => TERMINAL.has(t.to));
    let recovered = 0;
    const byTask = new Map<string, FleetCall[]>();
    for (const c of fleet.calls) byTask.set(c.taskId, [...(byTask.get(c.taskId) ?? []), c]);

    for (const [i, runId] of runIds) {
      const run = (await api<Task>(base, 'GET', `/api/tasks/${runId}`)).body;
      expect(run.status, runId).toBe('completed');
      const runTransitions = await transitionsOf(runId);
      // The run ended once; its log has no gaps or repeats.
      expect(terminal(runTransitions), runId).toHaveLength(1);
      expect(runTransitions.map((t) => t.seq)).toEqual(runTransitions.map((_, k) => k + 1));
      recovered += runTransitions.filter((t) => t.event === 'RECOVERED').length;
      // Each step was resolved once, and each of its tasks' ends was taken once.
      const resolved = runTransitions.filter((t) => t.event === 'STEP_RESOLVED').map((t) => t.detail?.step);
      expect(resolved.sort(), runId).toEqual(['check', 'fetch', 'merge', 'process', 'publish']);
      const ends = runTransitions.filter((t) => t.event === 'CHILD_ENDED').map((t) => `${t.detail?.step}#${t.detail?.index ?? 0}`);
      expect(new Set(ends).size, runId).toBe(ends.length);

      const expected = expectedCalls(runId, ITEMS[i]!);
      // Each step task exists once, completed, created once and ended once.
      const steps = (await api<{ tasks: Task[] }>(base, 'GET', `/api/tasks?parent=${runId}&limit=1000`)).body.tasks;
      expect(steps.map((t) => t.id).sort(), runId).toEqual([...expected.keys()].sort());
      expect(ends.length).toBe(expected.size);
      const stories = new Map<string, string>();
      for (const step of steps) {
        expect(step.status, step.id).toBe('completed');
        const ts = await transitionsOf(step.id);
        stories.set(
          step.id,
          ts.map((t) => `${t.at} ${t.from ?? '∅'} → ${t.to} ${t.event}${t.error ? ` ${t.error.code}: ${t.error.message}` : ''}`).join('\n'),
        );
        expect(
          ts.filter((t) => t.event === 'SUBMIT'),
          step.id,
        ).toHaveLength(1);
        expect(terminal(ts), step.id).toHaveLength(1);
        expect(ts.map((t) => t.seq)).toEqual(ts.map((_, k) => k + 1));
        recovered += ts.filter((t) => t.event === 'RECOVERED').length;
      }

      // Each (run, step, item) reached its agent under its own key only; a key came again only
      // from a later process, after a kill.
      for (const [taskId, agentId] of expected) {
        const calls = byTask.get(taskId) ?? [];
        expect(calls.length, taskId).toBeGreaterThan(0);
        expect(new Set(calls.map((c) => `${c.agent} ${c.key}`)), taskId).toEqual(new Set([`${agentId} ${taskId}:${agentId}`]));
        const processes = calls.map((c) => c.process);
        const story = `${taskId}: calls from processes ${processes.join(', ')}\n${stories.get(taskId)}`;
        expect(processes, story).toEqual([...new Set(processes)].sort((a, b) => a - b));
      }
    }
    // No call for a task that should not exist.
    const expectedIds = new Set([...runIds].flatMap(([i, id]) => [...expectedCalls(id, ITEMS[i]!).keys()]));
    expect([...byTask.keys()].filter((id) => !expectedIds.has(id))).toEqual([]);

    const repeated = [...byTask.values()].filter((calls) => calls.length > 1).length;
    console.log(`runs-crash: ${fleet.calls.length} calls, ${repeated} keys called again, ${recovered} RECOVERED transitions`);
    // The kills landed mid-flight: each cut a call off, which a later process made again under
    // the same key, and tasks were recovered.
    expect(cutOff).toHaveLength(KILLS);
    for (const call of cutOff) {
      expect(
        byTask
          .get(call.taskId)!
          .filter((c) => c.process > call.process)
          .map((c) => c.key),
        call.taskId,
      ).toContain(call.key);
    }
    expect(repeated).toBeGreaterThanOrEqual(1);
    expect(recovered).toBeGreaterThan(0);
  }, 240_000);
});
