/**
 * Escalations end to end, in one process: the engine with a simulated clock and a scripted
 * module agent, the real `@slack/web-api` WebClient against a local Slack stand-in, and real
 * SMTP (nodemailer → smtp-server). Time moves only when a test moves it: no test waits out a
 * backoff, a repeat interval or an ack timeout in real time. Real-time polling (`until`) only
 * waits for local I/O to land.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/clock/index.js';
import { formatTransition } from '../src/escalation/render/timeline.js';
import type { EscalationRecord, OutboxRow } from '../src/escalation/types.js';
import { startServer } from '../src/http/server.js';
import { createEngine } from '../src/lifecycle/createEngine.js';
import type { Engine } from '../src/lifecycle/Engine.js';
import type { EscalationEvent } from '../src/lifecycle/events.js';
import { silentLogger } from '../src/lifecycle/logger.js';
import type { Task } from '../src/lifecycle/types.js';
import { MemoryStore } from '../src/store/MemoryStore.js';
import { SqliteStore } from '../src/store/SqliteStore.js';
import type { Store } from '../src/store/Store.js';
import { flush } from './helpers/driveClock.js';
import { blocksOf, messageText, SlackStandIn, tsOf } from './helpers/slackStandIn.js';
import { addresses, SmtpStandIn } from './helpers/smtpServer.js';
import { until } from './helpers/warden.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const SLACK_TOKEN = 'xoxb-warden-test-5c1e9a7d3f';
const AGENT_KEY = 'sk-agent-secret-2b8f6e4a0c';
const SMTP_PASSWORD = 'smtp-secret-pw-93e1';
const ENV = { SLACK_BOT_TOKEN: SLACK_TOKEN, LLM_API_KEY: AGENT_KEY, SMTP_USER: 'mailer-7f2c', SMTP_PASSWORD };

const AGENT = { type: 'module', path: './test/fixtures/agents/lifecycle-agent.js' } as const;
/** Both agents of the plan a → b refuse: each task fails, having tried a then b. */
const FAIL = { a: ['permanent'], b: ['permanent'] };
const SUCCEED = { a: ['ok'] };
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

const slack = new SlackStandIn();
const smtp = new SmtpStandIn({ auth: { user: 'mailer-7f2c', pass: SMTP_PASSWORD } });

/** Every test runs on both stores the engine ships for a single process. */
const STORES = { memory: (): Store => new MemoryStore(), sqlite: (): Store => new SqliteStore(':memory:') };
let newStore: () => Store;

let engine: Engine;
let clock: SimulatedClock;
let escalationEvents: EscalationEvent[];
/** What the engine logged at warn level. */
let warnings: string[];

beforeAll(async () => {
  await new Promise<void>((r) => slack.server.listen(0, '127.0.0.1', r));
  await smtp.start();
  // load the agent once, so the first test does not race a cold import
  await import('./fixtures/agents/lifecycle-agent.js');
});
afterAll(async () => {
  await slack.close();
  await smtp.stop();
});
beforeEach(() => {
  slack.reset();
  smtp.received.length = 0;
  smtp.refusals.length = 0;
  smtp.refused.length = 0;
});
afterEach(async () => {
  await engine?.stop({ drainTimeoutMs: 0 });
  await engine?.store.close();
  if (!smtp.running) await smtp.start();
});

interface Setup {
  severities: Record<string, unknown>;
  delivery?: Record<string, unknown>;
  dedupWindowMs?: number;
}

/** An engine whose workflows `svc-<severity>` run the plan a → b, with Slack, email and log channels. */
async function start(setup: Setup): Promise<Engine> {
  clock = new SimulatedClock(T0);
  const agent = { adapter: AGENT, retry: { maxAttempts: 1 }, circuitBreaker: { failureThreshold: 1000 } };
  const config = {
    agents: {
      a: agent,
      b: agent,
      // never called: it is here so that its apiKeyEnv value counts as a secret
      llm: { adapter: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'LLM_API_KEY' } },
    },
    fallbackChains: { a: ['b'] },
    // the agents' refusal is low, so the workflow's own severity decides each escalation's severity
    errors: { rules: [{ match: { message: 'rejected the request' }, code: 'AGENT_REJECTED', severity: 'low' }] },
    escalation: {
      channels: {
        slack: { type: 'slack', channel: '#ops', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url },
        email: {
          type: 'email',
          from: 'warden@example.com',
          to: ['oncall@example.com'],
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, userEnv: 'SMTP_USER', passwordEnv: 'SMTP_PASSWORD' },
        },
        console: { type: 'log' },
      },
      severities: setup.severities,
      dedupWindowMs: setup.dedupWindowMs ?? 300_000,
      delivery: setup.delivery ?? { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 8000 },
      dashboardUrl: 'http://warden.test:8080',
    },
    store: 'memory:',
  };
  warnings = [];
  const logger = { ...silentLogger, warn: (_: object, msg?: string) => void warnings.push(msg ?? '') };
  const workflows = SEVERITIES.map((severity) => ({ name: `svc-${severity}`, agent: 'a', severity }));
  engine = await createEngine({ config, workflows, store: newStore(), clock, logger, random: () => 0.5, env: ENV });
  escalationEvents = [];
  engine.on('escalation', (e) => escalationEvents.push(e));
  return engine;
}

/** Runs one task of `workflow` to its end. Its agents answer at once, so no clock move is needed. */
async function run(workflow: string, script: Record<string, string[]> = FAIL, extra: Record<string, unknown> = {}): Promise<Task> {
  const { id } = await engine.submit(workflow, { script, ...extra });
  return engine.result(id);
}

async function escalationOf(taskId: string): Promise<EscalationRecord> {
  const found = (await engine.store.listEscalations({ limit: 1000 })).find((e) => e.taskIds.includes(taskId));
  if (!found) throw new Error(`no escalation for task ${taskId}`);
  return found;
}

/** Waits until the escalation has at least `n` outbox rows and none of them is pending. */
async function delivered(escalationId: string, n = 1): Promise<OutboxRow[]> {
  return until(async () => {
    const rows = await engine.store.outboxOf(escalationId);
    return rows.length >= n && rows.every((r) => r.status !== 'pending') && rows;
  }, 15_000);
}

/** Waits until a pending outbox row of the escalation has failed `attempts` times, and returns it. */
async function failedAttempt(escalationId: string, channel: string, attempts: number): Promise<OutboxRow> {
  return until(
    async () => (await engine.store.outboxOf(escalationId)).find((r) => r.channel === channel && r.attempts === attempts),
    15_000,
  );
}

/** Lets I/O callbacks run and waits until the outbox has nothing due: the sender is idle. */
async function quiet(): Promise<void> {
  await flush(10);
  await until(async () => (await engine.store.dueOutbox(clock.now(), 1)).length === 0, 15_000);
  await flush(10);
}

const channelOf = (e: EscalationRecord, name: string) => e.channels.find((c) => c.channel === name);

describe.each(Object.keys(STORES) as (keyof typeof STORES)[])('on the %s store', (kind) => {
  beforeAll(() => {
    newStore = STORES[kind];
  });

  describe('severity routing', () => {
    it('sends each severity to exactly its channels, and low severity to the log only', async () => {
      await start({
        severities: {
          low: { channels: [] },
          medium: { channels: ['slack'] },
          high: { channels: ['slack', 'email'] },
          critical: { channels: ['email'] },
        },
      });
      const tasks = Object.fromEntries(await Promise.all(SEVERITIES.map(async (s) => [s, await run(`svc-${s}`)] as const)));
      const escalations = Object.fromEntries(
        await Promise.all(SEVERITIES.map(async (s) => [s, await escalationOf(tasks[s]!.id)] as const)),
      );
      for (const s of ['medium', 'high', 'critical'] as const) await delivered(escalations[s]!.id);
      await quiet();

      for (const s of SEVERITIES) {
        expect(tasks[s]!.status).toBe('failed');
        expect(tasks[s]!.severity).toBe(s);
        expect(escalations[s]!.severity).toBe(s);
        expect(escalations[s]!.status).toBe('open');
      }
      const count = (s: (typeof SEVERITIES)[number]) => ({
        slack: slack.parents(tasks[s]!.id).length,
        email: smtp.about(tasks[s]!.id).length,
      });
      expect(count('low')).toEqual({ slack: 0, email: 0 });
      expect(count('medium')).toEqual({ slack: 1, email: 0 });
      expect(count('high')).toEqual({ slack: 1, email: 1 });
      expect(count('critical')).toEqual({ slack: 0, email: 1 });
      // nothing else went anywhere
      expect(slack.of('chat.postMessage')).toHaveLength(2);
      expect(smtp.received).toHaveLength(2);

      expect(escalations.low!.channels).toEqual([]);
      expect(warnings).toContain(`low escalation ${escalations.low!.id}: log only`);
      expect(await engine.store.outboxOf(escalations.low!.id)).toEqual([]);
      const shown = (e: EscalationRecord) => e.channels.map((c) => [c.channel, c.delivered, c.status]);
      expect(shown(await escalationOf(tasks.medium!.id))).toEqual([['slack', true, 'sent']]);
      expect(shown(await escalationOf(tasks.high!.id))).toEqual([
        ['slack', true, 'sent'],
        ['email', true, 'sent'],
      ]);
      expect(shown(await escalationOf(tasks.critical!.id))).toEqual([['email', true, 'sent']]);
      // the engine announced every one, with its escalation id
      expect(escalationEvents.map((e) => [e.workflow, e.severity, e.escalationId]).sort()).toEqual(
        SEVERITIES.map((s) => [`svc-${s}`, s, escalations[s]!.id]).sort(),
      );
    });
  });

  describe('notification content', () => {
    it('puts the task id, workflow, severity, error codes, agents and timeline in the Slack message and the email, and no secret', async () => {
      await start({ severities: { high: { channels: ['slack', 'email'] } } });
      const secrets = { note: `token ${SLACK_TOKEN}`, apiKey: AGENT_KEY, smtp: `pw=${SMTP_PASSWORD}` };
      const task = await run('svc-high', FAIL, secrets);
      const esc = await escalationOf(task.id);
      await delivered(esc.id, 2);
      const transitions = await engine.transitions(task.id);

      expect(esc.agentsTried).toEqual(['a', 'b']);
      expect(esc.errorCodes.slice(0, 2)).toEqual(['AGENT_REJECTED', 'AGENT_REJECTED']);
      expect(esc.finalErrorCode).toBe('AGENT_REJECTED');

      // Slack: one message, addressed right, whose blocks carry the facts
      const [post] = slack.parents(task.id);
      expect(slack.posts()).toHaveLength(1);
      expect(post!.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
      expect(post!.params['channel']).toBe('#ops');
      const blocks = JSON.stringify(blocksOf(post!));
      expect(blocksOf(post!)[0]).toMatchObject({ type: 'header', text: { text: '🔴 HIGH · svc-high failed' } });
      for (const needle of [
        task.id,
        'svc-high',
        'HIGH',
        esc.errorCodes.join(', '),
        'a → b',
        `*Timeline* (UTC, ${transitions.length} transitions)`,
      ]) {
        expect(blocks).toContain(needle);
      }
      // every transition is a line of the timeline, e.g. "09:00:00.000 attempting → routing ATTEMPT_FAILED a#1 AGENT_REJECTED"
      expect(transitions.length).toBeGreaterThanOrEqual(7);
      for (const t of transitions) expect(blocks).toContain(formatTransition(t));
      expect(blocks).toContain('09:00:00.000 ∅ → queued SUBMIT');
      expect(blocks).toContain('attempting → routing ATTEMPT_FAILED a#1 AGENT_REJECTED');
      expect(blocks).toContain('attempting → routing ATTEMPT_FAILED b#1 AGENT_REJECTED');
      expect(blocks).toContain('→ failed');
      expect(blocks).toContain(`http://warden.test:8080/#/tasks/${task.id}`);

      // Email: the subject names severity, workflow, outcome and task; text and HTML carry the facts
      const [mail] = smtp.about(task.id);
      expect(smtp.received).toHaveLength(1);
      expect(mail!.mail.subject).toBe(`[WARDEN][HIGH] svc-high failed — task ${task.id}`);
      expect(addresses(mail!.mail.from)).toEqual(['warden@example.com']);
      expect(addresses(mail!.mail.to)).toEqual(['oncall@example.com']);
      expect(mail!.rcptTo).toEqual(['oncall@example.com']);
      expect(mail!.user).toBe('mailer-7f2c');
      expect(mail!.mail.headers.get('x-warden-escalation')).toBe(esc.id);
      const text = mail!.mail.text ?? '';
      const html = typeof mail!.mail.html === 'string' ? mail!.mail.html : '';
      for (const body of [text, html]) {
        expect(body).toContain(task.id);
        expect(body).toContain('svc-high');
        expect(body).toContain('AGENT_REJECTED');
      }
      expect(text).toMatch(/Agents tried:\s+a → b/);
      expect(text).toContain(`Timeline (UTC, ${transitions.length} transitions):`);
      for (const t of transitions) expect(text).toContain(formatTransition(t));
      expect(text).toContain('attempting → routing ATTEMPT_FAILED b#1 AGENT_REJECTED');
      expect(html).toContain('<td>ATTEMPT_FAILED</td><td>b#1</td><td>AGENT_REJECTED</td>');

      // the input was shown, but not one secret value from the environment made it out
      expect(blocks).toContain('[redacted]');
      expect(text).toContain('[redacted]');
      const everything = [
        ...slack.calls.map((c) => JSON.stringify(c.params)),
        ...smtp.received.map((r) => [r.mail.subject, r.mail.text, r.mail.html, JSON.stringify([...r.mail.headers])].join('\n')),
      ].join('\n');
      for (const secret of [SLACK_TOKEN, AGENT_KEY, SMTP_PASSWORD]) expect(everything).not.toContain(secret);
    });

    it("says why: each failed attempt with the agent's own message, in the Slack message and the email", async () => {
      await start({ severities: { high: { channels: ['slack', 'email'] } } });
      const task = await run('svc-high');
      await delivered((await escalationOf(task.id)).id, 2);
      const lines = task.attempts.map((a) => `${a.agent}#${a.attempt} ${a.error!.code}: ${a.error!.message}`);
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toContain('the agent rejected the request');

      const blocks = JSON.stringify(blocksOf(slack.parents(task.id)[0]!));
      expect(blocks).toContain('*Failed attempts (2)*');
      for (const line of lines) expect(blocks).toContain(line);
      const text = smtp.about(task.id)[0]!.mail.text ?? '';
      expect(text).toContain(['Failed attempts (2):', ...lines.map((l) => `  ${l}`)].join('\n'));
    });
  });

  describe('dedup', () => {
    it('groups 20 identical failures into one escalation: one message and one batched reply per channel', async () => {
      await start({ severities: { high: { channels: ['slack', 'email'] } }, dedupWindowMs: 300_000 });
      // all 20 at once, racing each other and the first message's delivery
      const tasks = await Promise.all(Array.from({ length: 20 }, () => run('svc-high')));
      const esc0 = await escalationOf(tasks[0]!.id);
      const first = esc0.taskId;
      await until(async () => (await engine.store.outboxOf(esc0.id)).filter((r) => r.status === 'sent').length === 2, 15_000);
      await quiet();
      // the 19 repeats wait for the group interval: nothing more was sent yet
      expect(slack.posts()).toHaveLength(1);
      expect(smtp.received).toHaveLength(1);
      const before = await engine.store.outboxOf(esc0.id);
      expect(before.filter((r) => r.kind === 'grouped').map((r) => [r.channel, r.status])).toEqual([
        ['slack', 'pending'],
        ['email', 'pending'],
      ]);

      clock.advance(30_000);
      await delivered(esc0.id, 4);
      await quiet();

      const all = await engine.store.listEscalations({ limit: 1000 });
      expect(all).toHaveLength(1);
      const esc = all[0]!;
      expect(esc.count).toBe(20);
      expect([...esc.taskIds].sort()).toEqual(tasks.map((t) => t.id).sort());
      expect(esc.taskIds[0]).toBe(first);
      for (const t of tasks) expect(t.escalationIds).toEqual([esc.id]);
      expect(new Set(escalationEvents.map((e) => e.escalationId))).toEqual(new Set([esc.id]));

      const [parent, ...others] = slack.posts();
      expect(others).toHaveLength(1);
      expect(parent!.params['thread_ts']).toBeUndefined();
      expect(messageText(parent!)).toContain(first);
      const reply = others[0]!;
      expect(reply.params['thread_ts']).toBe(tsOf(parent!));
      expect(reply.params['text']).toContain('Repeated 19 more times');

      expect(smtp.received).toHaveLength(2);
      const [mail, followUp] = smtp.received.map((r) => r.mail);
      expect(mail!.subject).toBe(`[WARDEN][HIGH] svc-high failed — task ${first}`);
      expect(followUp!.inReplyTo).toBe(mail!.messageId);
      expect(followUp!.subject).toBe(`Re: [WARDEN][HIGH] svc-high failed — task ${first} (repeated, 20 tasks)`);
      expect(followUp!.text).toContain('Repeated 19 more times');
    });

    it('announces a failure that was grouped while the batched reply was in flight, in the next batch', async () => {
      await start({ severities: { medium: { channels: ['slack'] } } });
      const first = await run('svc-medium');
      const esc = await escalationOf(first.id);
      await delivered(esc.id);
      const parentTs = tsOf(slack.parents(first.id)[0]!);
      await run('svc-medium');
      // the batched reply reaches Slack, and Slack takes its time to answer
      slack.script.set('chat.postMessage', [{ delayMs: 500 }]);
      clock.advance(30_000);
      await until(async () => slack.arrived.length === 2, 15_000);
      const third = await run('svc-medium');
      // grouped while the reply was still unanswered
      expect(slack.replies(parentTs)).toHaveLength(0);
      await until(async () => slack.replies(parentTs).length === 1, 15_000);
      await quiet();
      expect(slack.replies(parentTs)[0]!.params['text']).toContain('Repeated 1 more time');
      expect((await engine.store.getEscalation(esc.id))!.taskIds).toContain(third.id);

      clock.advance(30_000);
      await until(async () => slack.replies(parentTs).length === 2, 5_000).catch(() => {
        throw new Error('the third failure was grouped but never announced: no second batched reply');
      });
      expect(slack.replies(parentTs)[1]!.params['text']).toContain('Repeated 2 more times');
    });

    it('opens a new escalation once the dedup window has passed', async () => {
      await start({ severities: { medium: { channels: ['slack'] } }, dedupWindowMs: 60_000 });
      const first = await run('svc-medium');
      await delivered((await escalationOf(first.id)).id);
      clock.advance(61_000);
      const second = await run('svc-medium');
      await delivered((await escalationOf(second.id)).id);
      expect((await escalationOf(first.id)).id).not.toBe((await escalationOf(second.id)).id);
      expect(slack.parents()).toHaveLength(2);
    });
  });

  describe('acknowledgement', () => {
    const critical = { severities: { critical: { channels: ['slack'], repeatEveryMs: 60_000, untilAcked: true } } };

    async function firing(): Promise<{ esc: EscalationRecord; parentTs: string }> {
      const task = await run('svc-critical');
      const esc = await escalationOf(task.id);
      await delivered(esc.id);
      const [parent] = slack.parents(task.id);
      return { esc, parentTs: tsOf(parent!) };
    }

    /** Moves the clock a minute and waits for the repeat reply it causes. */
    async function nextRepeat(parentTs: string, n: number): Promise<void> {
      clock.advance(60_000);
      await until(async () => slack.replies(parentTs).length >= n, 15_000);
      await quiet();
    }

    it('repeats every minute until acknowledged, then posts the ack, marks the message, and repeats no more', async () => {
      await start(critical);
      const { esc, parentTs } = await firing();
      await nextRepeat(parentTs, 1);
      await nextRepeat(parentTs, 2);
      const repeats = slack.replies(parentTs);
      expect(repeats.map((r) => r.params['text'])).toEqual([
        '🔔 Still not acknowledged: svc-critical failed',
        '🔔 Still not acknowledged: svc-critical failed',
      ]);
      // reminders are broadcast to the channel too
      expect(repeats.every((r) => r.params['reply_broadcast'] === 'true')).toBe(true);
      expect((await engine.store.getEscalation(esc.id))!.repeats).toBe(2);

      const acked = await engine.escalations.ack(esc.id, 'alice');
      expect(acked).toMatchObject({ status: 'acknowledged', ackedBy: 'alice' });
      await until(async () => slack.replies(parentTs).length === 3, 15_000);
      await quiet();
      expect(slack.replies(parentTs)[2]!.params['text']).toBe('✅ Acknowledged by alice');
      const [update] = slack.updates(parentTs);
      expect(update!.params['channel']).toBe(slack.channelId);
      expect(JSON.stringify(blocksOf(update!)[0])).toContain('[ACKNOWLEDGED] 🚨 CRITICAL · svc-critical failed');

      // no timer of the escalation is left, and minutes passing bring nothing more
      expect((await engine.store.dueTimers(clock.now() + 3_600_000, 100)).filter((t) => t.taskId === esc.id)).toEqual([]);
      const posted = slack.calls.length;
      for (let i = 0; i < 3; i++) {
        clock.advance(60_000);
        await quiet();
      }
      expect(slack.calls).toHaveLength(posted);
      expect((await engine.store.getEscalation(esc.id))!.repeats).toBe(2);
    });

    it('takes the ack over HTTP (POST /api/escalations/:id/ack)', async () => {
      await start(critical);
      const server = await startServer(engine, { port: 0 });
      try {
        const { esc, parentTs } = await firing();
        const res = await fetch(`${server.url}/api/escalations/${esc.id}/ack`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ by: 'bob' }),
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ id: esc.id, status: 'acknowledged', ackedBy: 'bob' });
        await until(async () => slack.replies(parentTs).length === 1 && slack.updates(parentTs).length === 1, 15_000);
        expect(slack.replies(parentTs)[0]!.params['text']).toBe('✅ Acknowledged by bob');
        clock.advance(60_000);
        await quiet();
        expect(slack.replies(parentTs)).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
  });

  describe('ack timeout', () => {
    it('raises an unacknowledged high escalation to critical after 5 minutes: email gets it, Slack gets a re-escalated reply', async () => {
      await start({
        severities: { high: { channels: ['slack'], ackTimeoutMs: 300_000 }, critical: { channels: ['slack', 'email'] } },
      });
      const task = await run('svc-high');
      const esc = await escalationOf(task.id);
      await delivered(esc.id);
      const parentTs = tsOf(slack.parents(task.id)[0]!);
      expect(smtp.received).toHaveLength(0);

      clock.advance(299_000);
      await quiet();
      expect((await engine.store.getEscalation(esc.id))!.severity).toBe('high');
      expect(slack.replies(parentTs)).toHaveLength(0);

      clock.advance(1_000);
      await until(async () => smtp.received.length === 1 && slack.replies(parentTs).length === 1, 15_000);
      await delivered(esc.id, 3);
      await quiet();

      const raised = (await engine.store.getEscalation(esc.id))!;
      expect(raised).toMatchObject({ severity: 'critical', previousSeverity: 'high', initialSeverity: 'high', status: 'open' });
      expect(channelOf(raised, 'email')).toMatchObject({ delivered: true, status: 'sent', attempts: 1 });
      expect(smtp.received[0]!.mail.subject).toBe(`[WARDEN][CRITICAL] svc-high failed — task ${task.id}`);
      const reply = slack.replies(parentTs)[0]!;
      expect(reply.params['text']).toBe('⬆️ Not acknowledged: re-escalated to CRITICAL');
      expect(reply.params['reply_broadcast']).toBe('true');
      // one new top-level message would be a second page for the same problem: there is none
      expect(slack.parents()).toHaveLength(1);
    });
  });

  describe('resolved', () => {
    it('resolves the escalation when a later task of the same workflow and plan completes', async () => {
      await start({ severities: { high: { channels: ['slack', 'email'] } } });
      const failed = await run('svc-high');
      const esc = await escalationOf(failed.id);
      await delivered(esc.id, 2);

      const ok = await run('svc-high', SUCCEED);
      expect(ok.status).toBe('completed');
      await delivered(esc.id, 4);
      await quiet();

      const resolved = (await engine.store.getEscalation(esc.id))!;
      expect(resolved).toMatchObject({ status: 'resolved', resolvedByTask: ok.id });
      expect(resolved.resolvedAt).toBeDefined();

      const parent = slack.parents(failed.id)[0]!;
      const parentTs = tsOf(parent);
      const [reply] = slack.replies(parentTs);
      const [update] = slack.updates(parentTs);
      expect(reply!.params['text']).toBe('🟢 Resolved: svc-high succeeded again');
      expect(JSON.stringify(blocksOf(update!)[0])).toContain('[RESOLVED] 🔴 HIGH · svc-high failed');
      // the message first, then its mark, then the reply in its thread
      const order = [parent, update, reply].map((c) => slack.calls.indexOf(c!));
      expect(order).toEqual([...order].sort((x, y) => x - y));
      expect(order[0]).toBe(0);

      const [mail, followUp] = smtp.received.map((r) => r.mail);
      expect(smtp.received).toHaveLength(2);
      expect(followUp!.inReplyTo).toBe(mail!.messageId);
      expect(followUp!.subject).toBe(`Re: [WARDEN][HIGH] svc-high failed — task ${failed.id} (resolved)`);
      expect(followUp!.text).toContain('Resolved: svc-high succeeded again');
    });

    it('leaves escalations of other workflows open', async () => {
      await start({ severities: { medium: { channels: ['slack'] }, high: { channels: ['slack'] } } });
      const failed = await run('svc-high');
      const esc = await escalationOf(failed.id);
      await delivered(esc.id);
      await run('svc-medium', SUCCEED);
      await quiet();
      expect((await engine.store.getEscalation(esc.id))!.status).toBe('open');
      expect(slack.of('chat.update')).toHaveLength(0);
    });
  });

  describe('delivery retries', () => {
    it('retries a Slack 429 after its Retry-After, and records 2 attempts', async () => {
      await start({ severities: { medium: { channels: ['slack'] } } });
      slack.script.set('chat.postMessage', [{ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }]);
      const task = await run('svc-medium');
      const esc = await escalationOf(task.id);

      const row = await failedAttempt(esc.id, 'slack', 1);
      expect(row.status).toBe('pending');
      expect(row.lastError).toContain('rate limited');
      // never sooner than Slack asked
      expect(row.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(1_000);
      expect(slack.of('chat.postMessage')).toHaveLength(1);

      clock.advanceTo(row.nextAttemptAt);
      const [sent] = await delivered(esc.id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
      expect(slack.of('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
      expect(slack.parents(task.id)).toHaveLength(1);
      expect(channelOf((await engine.store.getEscalation(esc.id))!, 'slack')).toMatchObject({
        delivered: true,
        status: 'sent',
        attempts: 2,
      });
    });

    it('retries an SMTP 451 and records 2 attempts', async () => {
      await start({ severities: { critical: { channels: ['email'] } } });
      smtp.refusals.push(451);
      const task = await run('svc-critical');
      const esc = await escalationOf(task.id);

      const row = await failedAttempt(esc.id, 'email', 1);
      expect(row.lastError).toContain('451');
      expect(smtp.refused).toHaveLength(1);
      expect(smtp.received).toHaveLength(0);

      clock.advanceTo(row.nextAttemptAt);
      const [sent] = await delivered(esc.id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
      expect(smtp.about(task.id)).toHaveLength(1);
      expect(channelOf((await engine.store.getEscalation(esc.id))!, 'email')).toMatchObject({
        delivered: true,
        status: 'sent',
        attempts: 2,
      });
    });

    it('delivers the mail once the SMTP server is back on its port', async () => {
      await start({
        severities: { critical: { channels: ['email'] } },
        delivery: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 8000 },
      });
      const port = smtp.port;
      await smtp.stop();
      const task = await run('svc-critical');
      const esc = await escalationOf(task.id);

      const first = await failedAttempt(esc.id, 'email', 1);
      expect(first.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
      clock.advanceTo(first.nextAttemptAt);
      const second = await failedAttempt(esc.id, 'email', 2);
      expect(second.nextAttemptAt).toBeGreaterThan(first.nextAttemptAt);

      expect(await smtp.start(port)).toBe(port);
      clock.advanceTo(second.nextAttemptAt);
      const [sent] = await delivered(esc.id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 3 });
      expect(smtp.about(task.id)).toHaveLength(1);
      const e = (await engine.store.getEscalation(esc.id))!;
      expect(channelOf(e, 'email')).toMatchObject({ delivered: true, status: 'sent', attempts: 3 });
    });
  });

  describe('channel fallback', () => {
    it('sends to the fallback channel when Slack stays down past delivery.maxAttempts', async () => {
      await start({
        severities: { high: { channels: ['slack'], fallbackChannels: ['email'] } },
        delivery: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 8000 },
      });
      slack.script.set(
        'chat.postMessage',
        Array.from({ length: 10 }, () => ({ status: 500, body: '<html>down</html>' })),
      );
      const task = await run('svc-high');
      const esc = await escalationOf(task.id);
      for (let n = 1; n < 3; n++) {
        const row = await failedAttempt(esc.id, 'slack', n);
        expect(row.status).toBe('pending');
        expect(smtp.received).toHaveLength(0);
        clock.advanceTo(row.nextAttemptAt);
      }
      const dead = await failedAttempt(esc.id, 'slack', 3);
      expect(dead.status).toBe('dead');
      // the fallback is due at once: it goes out without the clock moving
      await until(async () => smtp.received.length === 1, 5_000).catch(() => {
        throw new Error('the fallback email was not sent while the clock stood still (it waits for a 0 ms clock timer)');
      });
      await delivered(esc.id, 2);
      await quiet();

      expect(slack.of('chat.postMessage').map((c) => c.status)).toEqual([500, 500, 500]);
      expect(smtp.about(task.id)).toHaveLength(1);
      const e = (await engine.store.getEscalation(esc.id))!;
      expect(e.channels).toHaveLength(2);
      expect(channelOf(e, 'slack')).toMatchObject({ delivered: false, status: 'failed', attempts: 3 });
      expect(channelOf(e, 'slack')!.lastError).toContain('HTTP 500');
      expect(channelOf(e, 'email')).toMatchObject({ delivered: true, status: 'sent', attempts: 1, fallbackFor: 'slack' });
      const rows = await engine.store.outboxOf(esc.id);
      expect(rows.map((r) => [r.channel, r.status, r.attempts])).toEqual([
        ['slack', 'dead', 3],
        ['email', 'sent', 1],
      ]);
    });

    it('goes on at once to the next severity’s channels when Slack refuses for good and no fallback is configured', async () => {
      await start({ severities: { high: { channels: ['slack'] }, critical: { channels: ['email'] } } });
      slack.script.set('chat.postMessage', [{ body: { ok: false, error: 'channel_not_found' } }]);
      const task = await run('svc-high');
      const esc = await escalationOf(task.id);
      // not retryable: one attempt, and the clock never moves
      await until(async () => smtp.received.length === 1, 5_000).catch(() => {
        throw new Error('the fallback email was not sent while the clock stood still (it waits for a 0 ms clock timer)');
      });
      await delivered(esc.id, 2);
      const e = (await engine.store.getEscalation(esc.id))!;
      expect(e.severity).toBe('high');
      expect(channelOf(e, 'slack')).toMatchObject({ status: 'failed', attempts: 1 });
      expect(channelOf(e, 'slack')!.lastError).toContain('channel_not_found');
      expect(channelOf(e, 'email')).toMatchObject({ status: 'sent', delivered: true, fallbackFor: 'slack' });
      expect(slack.of('chat.postMessage')).toHaveLength(1);
      expect(smtp.about(task.id)[0]!.mail.subject).toBe(`[WARDEN][HIGH] svc-high failed — task ${task.id}`);
    });
  });
});
