import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lifecycle/logger.js';
import { createRedactor, noRedaction } from '../redact.js';
import { sampleFacts } from '../render/sampleFacts.js';
import { ChannelError } from './Channel.js';
import { createChannel } from './createChannel.js';
import { LogChannel } from './log.js';

function recorder() {
  const lines: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
  return { lines, logger: { warn: (obj: object, msg?: string) => void lines.push({ obj: obj as Record<string, unknown>, msg }) } };
}

describe('LogChannel', () => {
  it('writes one structured line per notification and returns log:<id>:<kind>', async () => {
    const { lines, logger } = recorder();
    const ch = new LogChannel('console', { logger, redact: noRedaction });
    const facts = sampleFacts();
    const ref = await ch.send(facts);
    expect(ref).toEqual({ ref: `log:${facts.escalationId}:firing` });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe(`🔴 HIGH · code-review failed — task ${facts.taskId}`);
    expect(lines[0]!.obj).toMatchObject({
      channel: 'console',
      escalation: facts.escalationId,
      kind: 'firing',
      severity: 'high',
      workflow: 'code-review',
      taskId: facts.taskId,
      finalErrorCode: 'FALLBACK_EXHAUSTED',
      agentsTried: facts.agentsTried,
      errorCodes: facts.errorCodes,
    });
    const reply = await ch.followUp(sampleFacts('acknowledged'), ref);
    expect(reply).toEqual({ ref: `log:${facts.escalationId}:acknowledged` });
    expect(lines[1]!.msg).toBe('✅ code-review: Acknowledged by alice — “looking into the agent fleet”');
  });

  it("lists each failed attempt with the agent's own message, redacted", async () => {
    const { lines, logger } = recorder();
    const secret = 'hunter2-secret';
    const failures = [{ agent: 'reviewer', attempt: 1, code: 'AUTH_FAILED', message: `HTTP 401: key ${secret} revoked` }];
    await new LogChannel('console', { logger, redact: createRedactor([secret]) }).send(sampleFacts('firing', { failures }));
    expect(lines[0]!.obj['failures']).toEqual(['reviewer#1 AUTH_FAILED: HTTP 401: key [redacted] revoked']);
  });

  it('writes a test notification as one line that says it is a test', async () => {
    const { lines, logger } = recorder();
    const ref = await new LogChannel('console', { logger, redact: noRedaction }).sendTest({
      channel: 'console',
      at: '2026-03-02T09:00:00.000Z',
      by: 'alice',
    });
    expect(ref).toEqual({ ref: 'log:test:2026-03-02T09:00:00.000Z' });
    expect(lines).toEqual([
      {
        obj: { channel: 'console', kind: 'test', by: 'alice' },
        msg: '🧪 Test notification from Warden: channel console works. No action is needed.',
      },
    ]);
  });

  it('redacts what it writes', async () => {
    const { lines, logger } = recorder();
    await new LogChannel('console', { logger, redact: createRedactor(['hunter2-secret']) }).send(
      sampleFacts('firing', { workflow: 'hunter2-secret' }),
    );
    expect(JSON.stringify(lines)).not.toContain('hunter2-secret');
  });

  it('never fails, even when the logger throws', async () => {
    const ch = new LogChannel('console', {
      logger: {
        warn: () => {
          throw new Error('disk full');
        },
      },
      redact: noRedaction,
    });
    await expect(ch.send(sampleFacts())).resolves.toEqual({ ref: expect.stringMatching(/^log:/) });
    await expect(ch.verify()).resolves.toBeUndefined();
    await expect(ch.close()).resolves.toBeUndefined();
  });
});

describe('createChannel', () => {
  it('builds the channel each config type names', () => {
    const ctx = { env: {}, redact: noRedaction, logger: silentLogger };
    expect(createChannel('console', { type: 'log' }, ctx)).toMatchObject({ name: 'console', type: 'log' });
    expect(createChannel('eng-slack', { type: 'slack', channel: '#eng', tokenEnv: 'SLACK_BOT_TOKEN' }, ctx)).toMatchObject({
      name: 'eng-slack',
      type: 'slack',
    });
    const mail = createChannel(
      'oncall',
      { type: 'email', from: 'a@b.c', to: ['d@e.f'], smtp: { host: '127.0.0.1', port: 2525, secure: false } },
      ctx,
    );
    expect(mail).toMatchObject({ name: 'oncall', type: 'email' });
    return mail.close();
  });

  it('does not throw for a missing secret: the channel reports it when used', async () => {
    const ch = createChannel(
      'eng-slack',
      { type: 'slack', channel: '#eng', tokenEnv: 'SLACK_BOT_TOKEN' },
      { env: {}, redact: noRedaction },
    );
    await expect(ch.send(sampleFacts())).rejects.toBeInstanceOf(ChannelError);
  });
});
