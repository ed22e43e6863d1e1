/**
 * Escalation delivery across a crash: real `warden serve` processes on one SQLite file, killed
 * with SIGKILL at the escalation failpoints (`WARDEN_FAILPOINT`), then restarted without them.
 * The agent is a local HTTP server that always answers 401 (AUTH_FAILED, not retryable), and
 * the workflow's severity `high` routes to Slack (the stand-in) and email (a real SMTP server).
 *
 * The two windows, and what the contract (CONTRACT.md §5, Delivery) promises for each:
 *
 *   task fails ─▶ [final step commits task + escalation + outbox rows] ─▶ after-outbox-write
 *              ─▶ channel.send() ─▶ after-send ─▶ [outbox row marked sent] ─▶ done
 *
 * - A crash between the commit and the send (`after-outbox-write`) loses nothing and
 *   duplicates nothing: the rows are pending in the store, nothing was sent, and the next
 *   start sends each exactly once.
 * - A crash between a send and its record (`after-send`) is the one window where a message can
 *   go out twice: it reached the channel but the outbox still says pending, so the next start
 *   sends it again (at least once, never lost). Only that one message can repeat; a message
 *   whose send was recorded is never sent again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackStandIn } from './helpers/slackStandIn.js';
import { SmtpStandIn } from './helpers/smtpServer.js';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, startWarden, until, type WardenProcess } from './helpers/warden.js';

const TOKEN = 'xoxb-crash-test-4a7c1e9b';

const slack = new SlackStandIn();
const smtp = new SmtpStandIn();
let agent: Server;
let agentCalls = 0;
let cfg: TempConfig;
const running: WardenProcess[] = [];

beforeAll(async () => {
  await new Promise<void>((r) => slack.server.listen(0, '127.0.0.1', r));
  await smtp.start();
  agent = createServer((req, res) => {
    agentCalls += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_KEY', message: 'the deploy gate refused our key' } }));
    });
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  cfg = await writeTempConfig(
    {
      agents: {
        gate: {
          adapter: { type: 'http', url: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/run` },
          retry: { maxAttempts: 1 },
        },
      },
      escalation: {
        channels: {
          slack: { type: 'slack', channel: '#deploys', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url },
          email: {
            type: 'email',
            from: 'warden@example.com',
            to: ['oncall@example.com'],
            smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
          },
        },
        severities: { high: { channels: ['slack', 'email'] } },
      },
    },
    [
      { name: 'deploy', agent: 'gate', severity: 'high' },
      // A second failing workflow: its own escalation, to see the sender at work after a restart.
      { name: 'probe', agent: 'gate', severity: 'high' },
    ],
  );
});

afterAll(async () => {
  await Promise.all(running.map((w) => w.stop('SIGKILL')));
  await slack.close();
  await smtp.stop();
  await new Promise<void>((r) => agent.close(() => r()));
  await cfg?.remove();
});

beforeEach(() => {
  slack.reset();
  smtp.received.length = 0;
  smtp.mailFromDelayMs = 0;
  agentCalls = 0;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

async function serve(db: string, env: Record<string, string> = {}): Promise<WardenProcess> {
  const w = await startWarden(['--config', cfg.configPath, '--store', `sqlite:${db}`], { env: { SLACK_BOT_TOKEN: TOKEN, ...env } });
  running.push(w);
  return w;
}

/**
 * Submits a deploy task to a process that is about to kill itself. The 202 normally arrives
 * first, but the answer may be cut off by the crash, so the task id is looked up after the
 * restart when it is missing.
 */
async function submitBeforeCrash(w: WardenProcess): Promise<string | undefined> {
  // Only the connection may fail; an answer that came is checked like any other.
  const res = await api<{ id: string }>(w.url, 'POST', '/api/tasks', { workflow: 'deploy', input: { service: 'billing' } }).catch(
    () => undefined,
  );
  if (res === undefined) return undefined;
  expect(res.status, res.text).toBe(202);
  return res.body.id;
}

/** The process's exit, which must be the failpoint's SIGKILL, and soon. */
async function crashed(w: WardenProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`warden did not hit its failpoint:\n${w.stdout()}\n${w.stderr()}`)), 15_000);
  });
  try {
    return await Promise.race([w.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface EscalationView {
  id: string;
  taskId: string;
  severity: string;
  channels: { channel: string; delivered: boolean; attempts: number; status: string }[];
  outbox: { channel: string; kind: string; status: string; attempts: number }[];
}

/** After the restart: the one task of this store, failed, and its escalation once every outbox row is sent. */
async function settled(w: WardenProcess, known: string | undefined): Promise<{ taskId: string; esc: EscalationView }> {
  const tasks = (await api<{ tasks: { id: string; status: string; escalationIds: string[] }[] }>(w.url, 'GET', '/api/tasks')).body.tasks;
  expect(tasks).toHaveLength(1);
  const task = tasks[0]!;
  if (known) expect(task.id).toBe(known);
  // the crash came after the final transaction: the task is failed and its escalation recorded
  expect(task.status).toBe('failed');
  expect(task.escalationIds).toHaveLength(1);
  const esc = await until(async () => {
    const res = await api<EscalationView>(w.url, 'GET', `/api/escalations/${task.escalationIds[0]}`);
    return res.status === 200 && res.body.outbox.length >= 2 && res.body.outbox.every((r) => r.status !== 'pending') && res.body;
  }, 20_000);
  return { taskId: task.id, esc };
}

describe('escalation delivery across a crash', () => {
  it('sends exactly once what was written to the outbox but not yet sent (crash after-outbox-write)', async () => {
    const db = path.join(cfg.dir, 'after-outbox-write.db');
    const w1 = await serve(db, { WARDEN_FAILPOINT: 'after-outbox-write' });
    const id = await submitBeforeCrash(w1);
    expect(await crashed(w1)).toEqual({ code: null, signal: 'SIGKILL' });
    // the failpoint sits between the commit and the first send: nothing went out
    expect(agentCalls).toBe(1);
    expect(slack.calls).toHaveLength(0);
    expect(smtp.received).toHaveLength(0);

    const w2 = await serve(db);
    const { taskId, esc } = await settled(w2, id);
    expect(esc).toMatchObject({ taskId, severity: 'high' });
    expect(esc.outbox.map((r) => [r.channel, r.kind, r.status, r.attempts])).toEqual([
      ['slack', 'firing', 'sent', 1],
      ['email', 'firing', 'sent', 1],
    ]);
    expect(esc.channels.map((c) => [c.channel, c.delivered, c.status])).toEqual([
      ['slack', true, 'sent'],
      ['email', true, 'sent'],
    ]);
    expect(slack.parents(taskId)).toHaveLength(1);
    expect(smtp.about(taskId)).toHaveLength(1);
    expect(smtp.about(taskId)[0]!.mail.subject).toBe(`[WARDEN][HIGH] deploy failed — task ${taskId}`);
    // the task was not run again after the restart: its end was already durable
    expect(agentCalls).toBe(1);

    const listed = (await api<{ escalations: { id: string }[] }>(w2.url, 'GET', '/api/escalations')).body.escalations;
    expect(listed.map((e) => e.id)).toEqual([esc.id]);

    // once recorded, a send is never repeated: another crash and start send nothing more
    await w2.stop('SIGKILL');
    const w3 = await serve(db);
    expect((await api(w3.url, 'GET', `/api/escalations/${esc.id}`)).body.outbox.every((r: { status: string }) => r.status === 'sent')).toBe(
      true,
    );
    // The sender reads what is due once at start, before it listens. A new escalation's messages
    // are read after that, so by the time they arrive a repeat of the first would have too.
    const probe = await api<{ id: string }>(w3.url, 'POST', '/api/tasks', { workflow: 'probe', input: {} });
    expect(probe.status, probe.text).toBe(202);
    await until(async () => slack.parents(probe.body.id).length === 1 && smtp.about(probe.body.id).length === 1, 20_000);
    expect(slack.parents(taskId)).toHaveLength(1);
    expect(smtp.about(taskId)).toHaveLength(1);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage']);
    expect(smtp.received).toHaveLength(2);
  });

  it('re-sends at most the one message that was sent but not recorded (crash after-send)', async () => {
    const db = path.join(cfg.dir, 'after-send.db');
    // Hold the email mid-transaction (before any of the message is sent), so the Slack send is
    // the one the crash follows, and the mail server has nothing from the first process.
    smtp.mailFromDelayMs = 2_000;
    const w1 = await serve(db, { WARDEN_FAILPOINT: 'after-send' });
    const id = await submitBeforeCrash(w1);
    expect(await crashed(w1)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(slack.posts()).toHaveLength(1);
    expect(smtp.received).toHaveLength(0);

    smtp.mailFromDelayMs = 0;
    const w2 = await serve(db);
    const { taskId, esc } = await settled(w2, id);
    // everything is delivered, and recorded as sent
    expect(esc.outbox.map((r) => [r.channel, r.kind, r.status])).toEqual([
      ['slack', 'firing', 'sent'],
      ['email', 'firing', 'sent'],
    ]);
    expect(esc.channels.every((c) => c.delivered && c.status === 'sent')).toBe(true);
    // Slack is the channel the crash hit: its message may have gone out twice (the unrecorded
    // send, then the retry after the restart), never more and never zero times
    expect([1, 2]).toContain(slack.parents(taskId).length);
    expect(slack.posts().every((p) => p.params['thread_ts'] === undefined)).toBe(true);
    // email was never sent before the crash, so it went out exactly once
    expect(smtp.about(taskId)).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
  });
});
