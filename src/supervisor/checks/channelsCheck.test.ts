import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../clock/index.js';
import type { Channel } from '../../escalation/channels/Channel.js';
import type { EscalationService } from '../../escalation/EscalationService.js';
import { channelsCheck } from './channelsCheck.js';

function fakeChannel(name: string, type: Channel['type'], verify: () => Promise<void>): Channel & { verifies: number } {
  const ch = {
    name,
    type,
    verifies: 0,
    send: async () => ({ ref: 'x' }),
    followUp: async () => ({ ref: 'x' }),
    sendTest: async () => ({ ref: 'x' }),
    verify: async () => {
      ch.verifies++;
      return verify();
    },
    close: async () => {},
  };
  return ch;
}

function fakeEscalations(channels: Channel[]) {
  const emitter = new EventEmitter();
  return Object.assign(emitter, { channels: new Map(channels.map((c) => [c.name, c])) }) as unknown as EscalationService;
}

describe('the channels check', () => {
  it('verifies each remote channel, never the log, and names the unreachable ones', async () => {
    const slack = fakeChannel('eng-slack', 'slack', async () => {
      throw Object.assign(new Error('invalid_auth'), { code: 'CHANNEL_AUTH' });
    });
    const email = fakeChannel('oncall-email', 'email', async () => {});
    const log = fakeChannel('console', 'log', async () => {});
    const check = channelsCheck(fakeEscalations([slack, email, log]), new SimulatedClock(0), 60_000);
    expect(await check.run(new AbortController().signal)).toEqual({ ok: false, value: 1, detail: 'eng-slack: CHANNEL_AUTH: invalid_auth' });
    expect([slack.verifies, email.verifies, log.verifies]).toEqual([1, 1, 0]);
  });

  it('takes a channel that delivered within the interval as reachable, without calling it', async () => {
    const clock = new SimulatedClock(0);
    const slack = fakeChannel('eng-slack', 'slack', async () => {});
    const escalations = fakeEscalations([slack]);
    const check = channelsCheck(escalations, clock, 60_000);
    (escalations as unknown as EventEmitter).emit('changed', {}, 'firing sent to eng-slack');
    clock.advance(60_000);
    expect(await check.run(new AbortController().signal)).toMatchObject({ ok: true });
    expect(slack.verifies).toBe(0);
    clock.advance(1);
    expect(await check.run(new AbortController().signal)).toMatchObject({ ok: true });
    expect(slack.verifies).toBe(1);
    check.close?.();
    expect((escalations as unknown as EventEmitter).listenerCount('changed')).toBe(0);
  });
});
