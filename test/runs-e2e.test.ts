/**
 * Multi-step workflows (runs) end to end: real HTTP agents (one fleet server, a path per agent),
 * a real `warden serve` child on a memory store, the HTTP API and SSE in front of it, and a
 * Slack stand-in behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentFleet, type FleetHandler, ok, pause, refuse } from './helpers/agentFleet.js';
import { messageText, SlackStandIn } from './helpers/slackStandIn.js';
import { SseClient } from './helpers/sseClient.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';
import type { Task, Transition, TransitionEvent } from '../src/lifecycle/types.js';

const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

let fleet: AgentFleet;
let slack: SlackStandIn;
let tmp: TempConfig;
let warden: WardenProcess;

/**
 * A build holds its call until `input.overlap` builds of its run have been open at once (for a
 * bounded while), then a little longer: any build launched beyond the limit meanwhile would be
 * open beside them, and counted.
 */
const build: FleetHandler = async (call) => {
  const overlap = Number(call.input.overlap ?? 1);
  for (const end = Date.now() + 5_000; fleet.maxOpen('builder', call.runId) < overlap && Date.now() < end; ) await pause(5);
  await pause(100);
  return ok({ built: call.input.file });
};

const handlers: Record<string, FleetHandler> = {
  planner: (call) => ok({ files: Array.from({ length: Number(call.input.files) }, (_, i) => `f${i}.ts`) }),
  builder: build,
  writer: (call) => (call.input.fail ? refuse('NO_DOCS', 'nothing to write about') : ok({ docs: 'written' })),
  reviewer: (call) => ok({ review: 'LGTM', path: call.input.path }),
  deployer: () => ok({ deployed: true }),
  // Its message names no step, so the step id in a notification comes from Warden.
  packager: () => refuse('NO_SPACE', 'disk full'),
};

/** The example-like run: plan; a build per file beside the docs; a review workflow; deploy when asked. */
const ship = {
  name: 'ship',
  inputSchema: { type: 'object' },
  steps: {
    plan: { agent: 'planner', input: "{ 'files': input.files }" },
    build: {
      agent: 'builder',
      needs: ['plan'],
      forEach: 'steps.plan.output.files',
      maxParallel: 4,
      input: "{ 'file': item, 'overlap': $$.input.overlap }",
    },
    docs: { agent: 'writer', needs: ['plan'], onFailure: 'continue', input: "{ 'fail': input.docsFail = true }" },
    review: { workflow: 'review', needs: ['build'], input: "{ 'path': steps.build.output[0].built }" },
    deploy: { agent: 'deployer', needs: ['review', 'docs'], when: 'input.deploy = true' },
  },
  degraded: { response: { status: 'degraded', message: 'release automation unavailable' } },
};
const review = {
  name: 'review',
  agent: 'reviewer',
  inputSchema: { type: 'object', required: ['path'], properties: { path: { type: 'string' } } },
};
/** A run that fails: no degraded response, and its package step is refused for good. */
const release = {
  name: 'release',
  severity: 'high',
  steps: {
    prepare: { agent: 'planner', input: "{ 'files': 1 }" },
    package: { agent: 'packager', needs: ['prepare'] },
    announce: { agent: 'writer', needs: ['package'] },
  },
};

beforeAll(async () => {
  fleet = await AgentFleet.start(handlers);
  slack = await SlackStandIn.start();
  // One attempt each, and a breaker that never opens: every test reads its own run's story.
  const agent = (id: string, extra: object = {}) => ({
    adapter: { type: 'http', url: fleet.url(id) },
    timeoutMs: '1m',
    retry: { maxAttempts: 1 },
    circuitBreaker: { failureThreshold: 1000 },
    ...extra,
  });
  tmp = await writeTempConfig(
    {
      agents: {
        planner: agent('planner'),
        builder: agent('builder', { maxConcurrency: 50 }),
        writer: agent('writer'),
        reviewer: agent('reviewer'),
        deployer: agent('deployer'),
        packager: agent('packager'),
      },
      escalation: {
        channels: {
          slack: { type: 'slack', channel: '#releases', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url },
          console: { type: 'log' },
        },
        // Only the release workflow reaches Slack, so its message is the only one there.
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] }, critical: { channels: ['console'] } },
        routes: [{ match: { workflow: 'release' }, channels: ['slack'] }],
      },
      store: 'memory:',
    },
    [ship, review, release],
  );
  warden = await startWarden(['--config', tmp.configPath], { env: { SLACK_BOT_TOKEN: 'xoxb-test' } });
});

afterAll(async () => {
  await warden?.stop();
  await fleet?.close();
  await slack?.close();
  await tmp?.remove();
});

async function submit(workflow: string, input: unknown): Promise<string> {
  const res = await api<{ id: string; status: string }>(warden.url, 'POST', '/api/tasks', { workflow, input });
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

async function ended(id: string): Promise<Task> {
  return until(async () => {
    const { body } = await api<Task>(warden.url, 'GET', `/api/tasks/${id}`);
    return TERMINAL.has(body.status) ? body : undefined;
  });
}

async function stepTasks(runId: string): Promise<Task[]> {
  const { status, body } = await api<{ tasks: Task[] }>(warden.url, 'GET', `/api/tasks?parent=${runId}&limit=1000`);
  expect(status).toBe(200);
  return body.tasks;
}

async function transitionsOf(id: string): Promise<Transition[]> {
  const { body } = await api<{ transitions: Transition[] }>(warden.url, 'GET', `/api/tasks/${id}/transitions`);
  return body.transitions;
}

const statuses = (run: Task) => Object.fromEntries(Object.entries(run.steps ?? {}).map(([id, s]) => [id, s.status]));

describe('a run of the example-like workflow', () => {
  let run: Task;
  let events: TransitionEvent[];

  beforeAll(async () => {
    const sse = await SseClient.open(`${warden.url}/api/events`);
    const id = await submit('ship', { files: 3, deploy: true });
    run = await ended(id);
    const runEnd = (e: TransitionEvent) => e.taskId === id && e.to === 'completed';
    await sse.until(() => sse.of<TransitionEvent>('transition').some(runEnd));
    events = sse.of<TransitionEvent>('transition');
    await sse.close();
  });

  it('completes every step, one build task per planned file, with the outputs of the steps', () => {
    expect(run).toMatchObject({ kind: 'run', workflow: 'ship', status: 'completed' });
    expect(statuses(run)).toEqual({ plan: 'completed', build: 'completed', docs: 'completed', review: 'completed', deploy: 'completed' });
    expect(run.steps!.build!.taskIds).toEqual([0, 1, 2].map((i) => `${run.id}.build.${i}`));
    expect(run.steps!.build!.output).toEqual([{ built: 'f0.ts' }, { built: 'f1.ts' }, { built: 'f2.ts' }]);
    expect(run.output).toEqual({
      plan: { files: ['f0.ts', 'f1.ts', 'f2.ts'] },
      build: [{ built: 'f0.ts' }, { built: 'f1.ts' }, { built: 'f2.ts' }],
      docs: { docs: 'written' },
      review: { review: 'LGTM', path: 'f0.ts' },
      deploy: { deployed: true },
    });
  });

  it('lists its step tasks under ?parent=, each naming its run and step, and hides them from ?topLevel=true', async () => {
    const tasks = await stepTasks(run.id);
    const ids = ['plan', 'build.0', 'build.1', 'build.2', 'docs', 'review', 'deploy'].map((s) => `${run.id}.${s}`);
    expect(tasks.map((t) => t.id).sort()).toEqual(ids.sort());
    for (const t of tasks) {
      expect(t.parentId).toBe(run.id);
      expect(t.id).toBe(`${run.id}.${t.step}${t.index !== undefined ? `.${t.index}` : ''}`);
      expect(t.status).toBe('completed');
    }
    expect(tasks.find((t) => t.step === 'review')).toMatchObject({ workflow: 'review', input: { path: 'f0.ts' } });
    const { body } = await api<{ tasks: Task[] }>(warden.url, 'GET', '/api/tasks?topLevel=true&limit=1000');
    expect(body.tasks.map((t) => t.id)).toContain(run.id);
    expect(body.tasks.filter((t) => t.parentId !== undefined)).toEqual([]);
  });

  it("calls each step's agent once, under the step task's id and the idempotency key <taskId>:<agentId>", () => {
    const calls = fleet.callsOf(run.id);
    expect(calls.map((c) => `${c.taskId.slice(run.id.length)} ${c.agent}`).sort()).toEqual(
      [
        '.plan planner',
        '.build.0 builder',
        '.build.1 builder',
        '.build.2 builder',
        '.docs writer',
        '.review reviewer',
        '.deploy deployer',
      ].sort(),
    );
    for (const c of calls) expect(c.key).toBe(`${c.taskId}:${c.agent}`);
    expect(calls.find((c) => c.agent === 'builder' && c.taskId.endsWith('.build.1'))?.input).toEqual({ file: 'f1.ts' });
  });

  it('records its own transitions: started, each step resolved and each step task ended, then its output', async () => {
    const transitions = await transitionsOf(run.id);
    expect(transitions[0]).toMatchObject({ from: null, to: 'queued', event: 'SUBMIT' });
    expect(transitions.at(-1)).toMatchObject({ from: 'finishing', to: 'completed', event: 'OUTPUT_RESOLVED' });
    expect(transitions.map((t) => t.seq)).toEqual(transitions.map((_, i) => i + 1));
    const resolved = transitions.filter((t) => t.event === 'STEP_RESOLVED').map((t) => t.detail?.step);
    expect(resolved.sort()).toEqual(['build', 'deploy', 'docs', 'plan', 'review']);
    expect(transitions.find((t) => t.event === 'STEP_RESOLVED' && t.detail?.step === 'build')?.detail?.items).toBe(3);
    const childEnds = transitions.filter((t) => t.event === 'CHILD_ENDED').map((t) => `${t.detail?.step}#${t.detail?.index ?? 0}`);
    expect(childEnds.sort()).toEqual(['build#0', 'build#1', 'build#2', 'deploy#0', 'docs#0', 'plan#0', 'review#0']);
  });

  it('streams the transitions of the run and of every step task over SSE', () => {
    const byTask = new Set(events.map((e) => e.taskId));
    expect(byTask).toContain(run.id);
    for (const id of run.steps!.build!.taskIds) expect(byTask).toContain(id);
    for (const step of ['plan', 'docs', 'review', 'deploy']) expect(byTask).toContain(`${run.id}.${step}`);
    const runEvents = events.filter((e) => e.taskId === run.id).map((e) => e.event);
    expect(runEvents[0]).toBe('SUBMIT');
    expect(runEvents.at(-1)).toBe('OUTPUT_RESOLVED');
  });
});

describe('runs that do not go all the way', () => {
  it('skips a step whose when is false, calls no agent for it, and still completes', async () => {
    const run = await ended(await submit('ship', { files: 1, deploy: false }));
    expect(run.status).toBe('completed');
    expect(run.steps!.deploy).toEqual({ status: 'skipped', taskIds: [] });
    expect(fleet.callsOf(run.id, 'deployer')).toEqual([]);
    const skipped = (await transitionsOf(run.id)).find((t) => t.event === 'STEP_RESOLVED' && t.detail?.step === 'deploy');
    expect(skipped?.detail?.status).toBe('skipped');
  });

  it('leaves the run degraded, with the other steps’ outputs, when an onFailure: continue step fails', async () => {
    const run = await ended(await submit('ship', { files: 2, deploy: true, docsFail: true }));
    expect(run.status).toBe('degraded');
    expect(statuses(run)).toEqual({ plan: 'completed', build: 'completed', docs: 'failed', review: 'completed', deploy: 'completed' });
    // The step's error is its task's: every agent of its plan failed, the writer with a 422.
    expect(run.steps!.docs!.error?.code).toBe('FALLBACK_EXHAUSTED');
    const [docs] = (await stepTasks(run.id)).filter((t) => t.step === 'docs');
    expect(docs!.attempts.map((a) => `${a.agent} ${a.error?.code} ${a.error?.message}`)).toEqual([
      'writer INVALID_REQUEST nothing to write about',
    ]);
    // Not the degraded response: the steps after the failure ran, and the output is theirs.
    expect(run.output).toMatchObject({
      plan: { files: ['f0.ts', 'f1.ts'] },
      build: [{ built: 'f0.ts' }, { built: 'f1.ts' }],
      review: { review: 'LGTM', path: 'f0.ts' },
      deploy: { deployed: true },
    });
    expect(fleet.callsOf(run.id, 'deployer')).toHaveLength(1);
  });

  it('never has more than maxParallel (4) calls of a 20-item forEach open at once, as the agent counts them', async () => {
    const run = await ended(await submit('ship', { files: 20, overlap: 4, deploy: false }));
    expect(run.status).toBe('completed');
    expect(run.steps!.build!.taskIds).toHaveLength(20);
    expect(fleet.callsOf(run.id, 'builder')).toHaveLength(20);
    // Four were open at once (the builds waited for that), and never a fifth.
    expect(fleet.maxOpen('builder', run.id)).toBe(4);
    expect(run.steps!.build!.output).toEqual(Array.from({ length: 20 }, (_, i) => ({ built: `f${i}.ts` })));
  });
});

describe('a failed run', () => {
  let run: Task;

  beforeAll(async () => {
    run = await ended(await submit('release', {}));
  });

  it('fails at the refused step; the step after it never starts', () => {
    expect(run.status).toBe('failed');
    expect(statuses(run)).toEqual({ prepare: 'completed', package: 'failed', announce: 'cancelled' });
    expect(run.error?.code).toBe('FALLBACK_EXHAUSTED');
    expect(run.steps!.package!.error?.code).toBe('FALLBACK_EXHAUSTED');
    expect(run.steps!.announce!.taskIds).toEqual([]);
  });

  it('escalates once, for the run, and never for its step tasks', async () => {
    const escalations = await until(async () => {
      const { body } = await api<{ escalations: { id: string; taskId: string; severity: string }[] }>(
        warden.url,
        'GET',
        '/api/escalations',
      );
      return body.escalations.some((e) => e.taskId === run.id) ? body.escalations : undefined;
    });
    expect(escalations.filter((e) => e.taskId === run.id)).toEqual([expect.objectContaining({ severity: 'high' })]);
    // No escalation anywhere is a step task's: every one is a top-level task's.
    for (const e of escalations) expect(e.taskId).not.toContain('.');
    for (const t of await stepTasks(run.id)) expect(t.escalationIds).toEqual([]);
    expect((await api<Task>(warden.url, 'GET', `/api/tasks/${run.id}`)).body.escalationIds).toHaveLength(1);
  });

  it('sends Slack one message, naming the run and its failed step', async () => {
    const [message] = await until(async () => (slack.parents(run.id).length ? slack.parents(run.id) : undefined));
    expect(slack.parents()).toHaveLength(1);
    const text = messageText(message!);
    expect(text).toContain(run.id);
    expect(text).toContain('release');
    expect(text).toContain('package');
  });
});
