/**
 * A run's escalation end to end, in one process: the engine runs a multi-step workflow with a
 * scripted module agent on a simulated clock, and the real Slack WebClient and nodemailer
 * deliver its one escalation to local stand-ins. The message lists each failed or degraded step
 * with its own timeline, as the store recorded it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { formatTransition } from '../src/escalation/render/timeline.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import { TERMINAL_STATUSES, type Task } from '../src/lifecycle/types.js';
import { MemoryStore } from '../src/store/MemoryStore.js';
import { driveUntil } from './helpers/driveClock.js';
import { blocksOf, SlackStandIn } from './helpers/slackStandIn.js';
import { SmtpStandIn } from './helpers/smtpServer.js';
import { until } from './helpers/warden.js';

const SLACK_TOKEN = 'xoxb-warden-run-test-7d2a';
const ENV = { SLACK_BOT_TOKEN: SLACK_TOKEN };
const AGENT = { type: 'module', path: './test/fixtures/agents/run-agent.js' } as const;
const agent = { adapter: AGENT, retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 1000 } };

/**
 * The example workflow of the design notes: one build item fails and degrades to the step's
 * degraded response, the docs step fails under `onFailure: "continue"`, so deploy is skipped.
 */
const ship = {
  name: 'ship',
  severity: 'high',
  steps: {
    plan: { agent: 'planner', input: "{ 'files': input.files }" },
    build: {
      agent: 'builder',
      needs: ['plan'],
      forEach: 'steps.plan.output.files',
      maxParallel: 2,
      input: "{ 'file': item, 'fail': item in $$.input.failFiles }",
      degraded: { response: { built: null } },
    },
    docs: { agent: 'writer', needs: ['plan'], onFailure: 'continue', input: "{ 'docsFail': input.docsFail }" },
    deploy: { agent: 'deployer', needs: ['build', 'docs'], when: "steps.build.status = 'completed'" },
  },
};

const slack = new SlackStandIn();
const smtp = new SmtpStandIn();
let engine: Engine;
let clock: SimulatedClock;

beforeAll(async () => {
  await new Promise<void>((r) => slack.server.listen(0, '127.0.0.1', r));
  await smtp.start();
  await import('./fixtures/agents/run-agent.js');
});
afterAll(async () => {
  await slack.close();
  await smtp.stop();
});
afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  await engine?.store.close();
});

async function start(): Promise<void> {
  clock = new SimulatedClock(Date.parse('2026-03-02T09:00:00.000Z'));
  const config = {
    agents: { planner: agent, builder: agent, writer: agent, deployer: agent },
    escalation: {
      channels: {
        slack: { type: 'slack', channel: '#ops', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url },
        email: {
          type: 'email',
          from: 'warden@example.com',
          to: ['oncall@example.com'],
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
        },
      },
      severities: { high: { channels: ['slack', 'email'] } },
    },
    store: 'memory:',
  };
  engine = await createEngine({
    config,
    workflows: [ship],
    store: new MemoryStore(),
    clock,
    logger: silentLogger,
    mode: 'local',
    supervisor: false,
    random: () => 0.5,
    env: ENV,
  });
}

async function runToEnd(input: object): Promise<Task> {
  const { id } = await engine.submit('ship', input);
  let run: Task | undefined;
  await driveUntil(clock, async () => TERMINAL_STATUSES.has((run = await engine.get(id))!.status), [engine]);
  return run!;
}

describe("a run's escalation", () => {
  it('is one Slack message and one email listing each failed or degraded step with its own timeline', async () => {
    await start();
    const run = await runToEnd({ files: 3, failFiles: ['f1.ts'], docsFail: true });
    expect(run.status).toBe('degraded');
    expect(Object.fromEntries(Object.entries(run.steps!).map(([id, s]) => [id, s.status]))).toEqual({
      plan: 'completed',
      build: 'degraded',
      docs: 'failed',
      deploy: 'skipped',
    });

    // one escalation, for the run: its step tasks do not escalate one by one
    const escalations = await until(async () => {
      const all = await engine.store.listEscalations({ limit: 100 });
      const rows = all.length === 1 ? await engine.store.outboxOf(all[0]!.id) : [];
      return rows.length === 2 && rows.every((r) => r.status === 'sent') && all;
    }, 15_000);
    expect(escalations.map((e) => e.taskId)).toEqual([run.id]);
    expect(slack.posts()).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);

    const item = `${run.id}.build.1`;
    const docs = `${run.id}.docs`;
    const itemTimeline = (await engine.transitions(item)).map(formatTransition);
    const docsTimeline = (await engine.transitions(docs)).map(formatTransition);
    const runTimeline = (await engine.transitions(run.id)).map(formatTransition);
    expect(itemTimeline.length).toBeGreaterThanOrEqual(4);
    expect(docsTimeline.length).toBeGreaterThanOrEqual(4);

    // Slack: the run's summary and timeline, then a section per bad step, each with its tasks' timelines
    const texts = blocksOf(slack.parents(run.id)[0]!).map((b) => JSON.stringify(b));
    const all = texts.join('\n');
    expect(all).toContain('*Steps*\\nbuild degraded, docs failed');
    expect(all).toContain('*Agents tried*\\nbuilder → writer');
    expect(all).toContain('CHILD_ENDED build[1] degraded');
    for (const line of runTimeline) expect(all).toContain(line);
    const buildAt = texts.findIndex((t) => t.includes('*Step build — degraded*'));
    const itemSection = texts.find((t) => t.includes(`*Task ${item} (item 1) — degraded`))!;
    const docsSection = texts.find((t) => t.includes('*Step docs — failed*'))!;
    expect(buildAt).toBeGreaterThan(texts.findIndex((t) => t.includes('*Timeline*')));
    expect(texts[buildAt]).toContain('*Tasks:* 1 of 3 failed or degraded');
    for (const line of itemTimeline) expect(itemSection).toContain(line);
    expect(docsSection).toContain(`*Task:* \`${docs}\``);
    for (const line of docsTimeline) expect(docsSection).toContain(line);
    // the completed items and the skipped step are not listed
    expect(all).not.toContain(`${run.id}.build.0`);
    expect(all).not.toContain('*Step deploy');

    // Email: the same steps and timelines, in text and HTML
    const [mail] = smtp.about(run.id);
    const text = mail!.mail.text ?? '';
    const html = typeof mail!.mail.html === 'string' ? mail!.mail.html : '';
    expect(mail!.mail.subject).toBe(`[WARDEN][HIGH] ship degraded — task ${run.id}`);
    expect(text).toContain(`Step build — degraded\n  Tasks:        1 of 3 failed or degraded`);
    expect(text).toContain(`  Task ${item} (item 1) — degraded`);
    expect(text).toContain(`Step docs — failed\n  Task:         ${docs}`);
    for (const line of [...itemTimeline, ...docsTimeline]) expect(text).toContain(line);
    expect(html).toContain('<h4 style="margin:16px 0 4px">Step build — degraded</h4>');
    expect(html).toContain(`<strong>Task ${item} (item 1) — degraded`);
    expect(html).toContain(`<td><code>${docs}</code></td>`);
  });
});
