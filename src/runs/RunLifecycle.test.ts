import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { driveUntil, settle } from '../../test/helpers/driveClock.js';
import { engineStore } from '../../test/helpers/testStore.js';
import { SimulatedClock } from '../clock/index.js';
import { createEngine } from '../lifecycle/createEngine.js';
import type { Engine } from '../lifecycle/Engine.js';
import type { EscalationEvent } from '../lifecycle/events.js';
import { silentLogger } from '../lifecycle/logger.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { StepCommit } from '../store/Store.js';
import type { RunContext } from './runMachine.js';
import { TERMINAL_STATUSES, type Task } from '../lifecycle/types.js';

const AGENT = { type: 'module', path: './test/fixtures/agents/run-agent.js' } as const;
const retry = { maxAttempts: 1 };
const agent = (extra: object = {}) => ({ adapter: AGENT, retry, circuitBreaker: { failureThreshold: 1000 }, ...extra });
const config = {
  agents: {
    planner: agent(),
    builder: agent({ maxConcurrency: 50, timeoutMs: 600_000 }),
    writer: agent(),
    deployer: agent(),
    reviewer: agent(),
  },
  store: 'memory:',
};
const review = { name: 'review', agent: 'reviewer', inputSchema: { type: 'object', required: ['path'] } };
const ship = {
  name: 'ship',
  severity: 'high',
  steps: {
    plan: { agent: 'planner', input: "{ 'files': input.files }" },
    build: {
      agent: 'builder',
      needs: ['plan'],
      forEach: 'steps.plan.output.files',
      maxParallel: 4,
      input: "{ 'file': item, 'fail': item in $$.input.failFiles, 'hang': item in $$.input.hangFiles, 'overlap': $$.input.overlap }",
    },
    docs: { agent: 'writer', needs: ['plan'], onFailure: 'continue', input: "{ 'docsFail': input.docsFail }" },
    review: { workflow: 'review', needs: ['build'], input: "{ 'path': steps.build.output[0].built }" },
    deploy: { agent: 'deployer', needs: ['review', 'docs'], when: "steps.review.status = 'completed' and input.deploy" },
  },
  degraded: { response: { status: 'degraded', message: 'release automation unavailable' } },
};

let engine: Engine;
let clock: SimulatedClock;
const cleanups: (() => Promise<void>)[] = [];

async function start(workflows: object[] = [review, ship]) {
  clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00.000Z'));
  const { store, cleanup } = await engineStore();
  cleanups.push(cleanup);
  engine = await createEngine({
    config,
    workflows,
    store,
    clock,
    logger: silentLogger,
    mode: 'local',
    supervisor: false,
    random: () => 0.5,
  });
  return engine;
}

async function runToEnd(input: object): Promise<Task> {
  const { id } = await engine.submit('ship', input);
  let task: Task | undefined;
  await driveUntil(clock, async () => TERMINAL_STATUSES.has((task = await engine.get(id))!.status), [engine]);
  return task!;
}

/** Waits, without moving the clock, until `done()` holds: the engine settles between looks. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 5_000; i++) {
    await settle([engine]);
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('waitFor: gave up');
}

beforeAll(async () => {
  await import('../../test/fixtures/agents/run-agent.js');
});

afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  for (const c of cleanups.splice(0)) await c();
});

describe('runs in the engine', () => {
  it('runs every step, a forEach one child per item, and completes with the steps’ outputs', async () => {
    await start();
    const run = await runToEnd({ files: 3, failFiles: [], deploy: true });
    expect(run.kind).toBe('run');
    expect(run.status).toBe('completed');
    expect(Object.fromEntries(Object.entries(run.steps!).map(([id, s]) => [id, s.status]))).toEqual({
      plan: 'completed',
      build: 'completed',
      docs: 'completed',
      review: 'completed',
      deploy: 'completed',
    });
    expect(run.steps!.build!.taskIds).toEqual([`${run.id}.build.0`, `${run.id}.build.1`, `${run.id}.build.2`]);
    expect(run.steps!.build!.output).toEqual([{ built: 'f0.ts' }, { built: 'f1.ts' }, { built: 'f2.ts' }]);
    expect(run.output).toMatchObject({ plan: { files: ['f0.ts', 'f1.ts', 'f2.ts'] }, deploy: { ok: 'deployer' } });
    const steps = await engine.list({ parent: run.id });
    expect(steps.map((t) => t.id).sort()).toEqual(
      ['plan', 'build.0', 'build.1', 'build.2', 'docs', 'review', 'deploy'].map((s) => `${run.id}.${s}`).sort(),
    );
    const reviewTask = steps.find((t) => t.step === 'review')!;
    expect(reviewTask).toMatchObject({ parentId: run.id, workflow: 'review', input: { path: 'f0.ts' }, status: 'completed' });
    const events = (await engine.transitions(run.id)).map((t) => `${t.event}${t.detail?.step ? `:${t.detail.step}` : ''}`);
    expect(events[0]).toBe('SUBMIT');
    expect(events).toContain('CHILD_ENDED:plan');
    expect(events.at(-1)).toBe('OUTPUT_RESOLVED');
  });

  it("commits a step's end together with the start of the steps it unblocks: no saved run ever has a step waiting to start", async () => {
    const commits: StepCommit[] = [];
    class SpyStore extends MemoryStore {
      override commit(step: StepCommit) {
        commits.push(structuredClone(step));
        return super.commit(step);
      }
    }
    clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00.000Z'));
    engine = await createEngine({
      config,
      workflows: [review, ship],
      store: new SpyStore(),
      clock,
      logger: silentLogger,
      mode: 'local',
      supervisor: false,
    });
    const run = await runToEnd({ files: 3, failFiles: [], deploy: true });
    expect(run.status).toBe('completed');
    const runCommits = commits.filter((c) => c.task.id === run.id);
    const readyInSaved = runCommits.flatMap((c) =>
      Object.entries((c.task.snapshot as { context: RunContext }).context.progress)
        .filter(([, p]) => p.status === 'ready')
        .map(([id]) => id),
    );
    expect(readyInSaved).toEqual([]);
    // The end of plan and the start of build's and docs' tasks are one commit.
    const planEnd = runCommits.find((c) => c.transitions.some((t) => t.event === 'CHILD_ENDED' && t.detail?.step === 'plan'))!;
    expect(planEnd.transitions.map((t) => `${t.event}:${t.detail?.step}`)).toEqual([
      'CHILD_ENDED:plan',
      'STEP_RESOLVED:build',
      'STEP_RESOLVED:docs',
    ]);
    expect(planEnd.create!.map((c) => c.task.id).sort()).toEqual([
      `${run.id}.build.0`,
      `${run.id}.build.1`,
      `${run.id}.build.2`,
      `${run.id}.docs`,
    ]);
  });

  it('skips a step whose when is false; the steps after it still see its status', async () => {
    await start();
    const run = await runToEnd({ files: 1, failFiles: [], deploy: false });
    if (run.status !== 'completed') console.log(JSON.stringify(await engine.transitions(run.id)), JSON.stringify(run.steps));
    expect(run.status).toBe('completed');
    expect(run.steps!.deploy).toMatchObject({ status: 'skipped', taskIds: [] });
  });

  it('leaves the run degraded, with the other steps’ outputs, when an onFailure: continue step fails', async () => {
    await start();
    const run = await runToEnd({ files: 2, failFiles: [], deploy: true, docsFail: true });
    expect(run.status).toBe('degraded');
    expect(run.steps!.docs!.status).toBe('failed');
    expect(run.steps!.deploy!.status).toBe('completed');
    expect(run.output).toMatchObject({ build: [{ built: 'f0.ts' }, { built: 'f1.ts' }] });
  });

  it('fails the run to its degraded response when a step fails, cancelling what still runs, and escalates once', async () => {
    await start();
    const escalations: EscalationEvent[] = [];
    engine.on('escalation', (e) => escalations.push(e));
    const run = await runToEnd({ files: 6, failFiles: ['f1.ts'], deploy: true });
    expect(run.status).toBe('degraded');
    expect(run.output).toEqual({ status: 'degraded', message: 'release automation unavailable' });
    expect(run.steps!.build!.status).toBe('failed');
    expect(run.steps!.review!.status).toBe('cancelled');
    expect(escalations.map((e) => e.taskId)).toEqual([run.id]);
    expect(escalations[0]).toMatchObject({ severity: 'high', status: 'degraded' });
    const steps = await engine.list({ parent: run.id });
    expect(steps.every((t) => TERMINAL_STATUSES.has(t.status))).toBe(true);
    expect(steps.every((t) => t.escalationIds.length === 0)).toBe(true);
  });

  it('never has more than maxParallel children of a forEach step open at once', async () => {
    await start();
    const agentModule = await import('../../test/fixtures/agents/run-agent.js');
    agentModule.maxOpen.delete('builder');
    // Each build call waits (a bounded while) for 8 to be open at once: only maxParallel ever are.
    // The agents take real time here, so the clock stays put (no timer is due) while the run goes on.
    const { id } = await engine.submit('ship', { files: 20, failFiles: [], deploy: false, overlap: 8 });
    let run!: Task;
    await waitFor(async () => TERMINAL_STATUSES.has((run = (await engine.get(id))!).status));
    expect(run.status).toBe('completed');
    expect(run.steps!.build!.taskIds).toHaveLength(20);
    expect(agentModule.maxOpen.get('builder')).toBe(4);
  });

  it('cancels a run and its running steps, aborting their calls in flight', async () => {
    await start();
    const agentModule = await import('../../test/fixtures/agents/run-agent.js');
    const { id } = await engine.submit('ship', { files: 3, failFiles: [], hangFiles: ['f0.ts', 'f1.ts', 'f2.ts'], deploy: true });
    await driveUntil(clock, async () => (await engine.get(id))!.steps?.build?.taskIds.length === 3, [engine]);
    await settle([engine]);
    expect((await engine.get(`${id}.build.0`))!.status).toBe('running');
    await engine.cancel(id);
    await settle([engine]);
    expect((await engine.get(id))!.status).toBe('cancelled');
    const builds = (await engine.list({ parent: id })).filter((t) => t.step === 'build');
    expect(builds.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(agentModule.aborted).toEqual(expect.arrayContaining([`${id}.build.0`, `${id}.build.1`, `${id}.build.2`]));
  });

  it('holds no memory for a run waiting on slow steps: only the steps with calls in flight are live', async () => {
    await start();
    const { id } = await engine.submit('ship', { files: 3, failFiles: [], hangFiles: ['f0.ts', 'f1.ts', 'f2.ts'], deploy: true });
    await driveUntil(clock, async () => (await engine.get(id))!.steps?.build?.taskIds.length === 3, [engine]);
    await settle([engine]);
    expect((await engine.get(id))!.steps!.docs!.status).toBe('completed');
    // The three hanging build calls, and nothing else: the run itself is parked in the store.
    expect(engine.liveActorCount).toBe(3);
  });

  it('ends a run at its deadline as degraded, cancelling its running steps', async () => {
    await start();
    const { id } = await engine.submit('ship', { files: 2, failFiles: [], hangFiles: ['f0.ts'], deploy: true }, { deadlineMs: 60_000 });
    let run: Task | undefined;
    await driveUntil(clock, async () => TERMINAL_STATUSES.has((run = await engine.get(id))!.status), [engine]);
    expect(run!.status).toBe('degraded');
    // The step inherited the run's deadline: whichever of the two fires first, the run ends then, degraded.
    expect(run!.error?.code).toBe('DEADLINE_EXCEEDED');
    expect((await engine.get(`${id}.build.0`))!.status).not.toBe('running');
    expect(clock.now() - Date.parse('2026-01-01T00:00:00.000Z')).toBe(60_000);
  });

  it('refuses a step whose expression fails, with EXPRESSION_FAILED', async () => {
    await start([review, { ...ship, name: 'ship', steps: { ...ship.steps, build: { ...ship.steps.build, forEach: "'not a list'" } } }]);
    const run = await runToEnd({ files: 1, failFiles: [], deploy: true });
    expect(run.steps!.build!.status).toBe('failed');
    expect(run.steps!.build!.error?.code).toBe('EXPRESSION_FAILED');
    expect(run.status).toBe('degraded');
  });
});
