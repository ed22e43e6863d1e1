import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../clock/index.js';
import { sampleFacts } from '../render/sampleFacts.js';
import type { Channel } from './Channel.js';
import { ChannelError } from './Channel.js';
import { ChannelMonitor } from './ChannelMonitor.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const notice = { channel: 'eng-slack', at: 'now', by: 'alice' };

/** A channel whose next outcomes are scripted: undefined succeeds, an error fails. */
function scripted(name: string, type: Channel['type'] = 'slack') {
  const next: (Error | undefined)[] = [];
  let verifies = 0;
  const outcome = async <T>(ok: T): Promise<T> => {
    const e = next.shift();
    if (e) throw e;
    return ok;
  };
  const channel: Channel = {
    name,
    type,
    send: () => outcome({ ref: 'r' }),
    followUp: () => outcome({ ref: 'r' }),
    sendTest: () => outcome({ ref: 't' }),
    verify: async () => {
      verifies++;
      await new Promise((r) => setImmediate(r));
      await outcome(undefined);
    },
    close: async () => {},
  };
  return { channel, next, verifies: () => verifies };
}

const unreachable = () =>
  new ChannelError('slack channel "eng-slack": auth.test failed: no answer (ECONNREFUSED)', {
    code: 'CHANNEL_UNREACHABLE',
    retryable: true,
  });

describe('ChannelMonitor', () => {
  it('knows nothing of a remote channel before its first use, and takes the log channel as healthy', () => {
    const monitor = new ChannelMonitor(new SimulatedClock(T0));
    monitor.watch(scripted('eng-slack').channel);
    monitor.watch(scripted('console', 'log').channel);
    expect(monitor.health()).toEqual([
      { channel: 'eng-slack', type: 'slack', status: 'unknown' },
      { channel: 'console', type: 'log', status: 'healthy' },
    ]);
  });

  it('records a failed verification with its code and message, and the next success clears it', async () => {
    const clock = new SimulatedClock(T0);
    const monitor = new ChannelMonitor(clock);
    const s = scripted('eng-slack');
    const ch = monitor.watch(s.channel);
    s.next.push(unreachable());
    await expect(ch.verify()).rejects.toThrow('ECONNREFUSED');
    expect(monitor.of('eng-slack')).toEqual({
      channel: 'eng-slack',
      type: 'slack',
      status: 'unhealthy',
      via: 'verify',
      checkedAt: '2026-03-02T09:00:00.000Z',
      error: { code: 'CHANNEL_UNREACHABLE', message: 'slack channel "eng-slack": auth.test failed: no answer (ECONNREFUSED)' },
    });
    clock.advance(1000);
    await ch.send(sampleFacts());
    expect(monitor.of('eng-slack')).toEqual({
      channel: 'eng-slack',
      type: 'slack',
      status: 'healthy',
      via: 'send',
      checkedAt: '2026-03-02T09:00:01.000Z',
    });
  });

  it('takes a rate limit, or one message refused while sending, as degraded rather than down', async () => {
    const monitor = new ChannelMonitor(new SimulatedClock(T0));
    const s = scripted('eng-slack');
    const ch = monitor.watch(s.channel);
    s.next.push(new ChannelError('rate limited', { code: 'CHANNEL_RATE_LIMITED', retryable: true }));
    await expect(ch.send(sampleFacts())).rejects.toThrow();
    expect(monitor.of('eng-slack')?.status).toBe('degraded');
    s.next.push(new ChannelError('msg_too_long', { code: 'CHANNEL_REJECTED', retryable: false }));
    await expect(ch.followUp(sampleFacts('repeat'), { ref: 'r' })).rejects.toThrow();
    expect(monitor.of('eng-slack')?.status).toBe('degraded');
    s.next.push(new ChannelError('channel_not_found', { code: 'CHANNEL_REJECTED', retryable: false }));
    await expect(ch.sendTest(notice)).rejects.toThrow();
    expect(monitor.of('eng-slack')).toMatchObject({ status: 'unhealthy', via: 'test' });
  });

  it('shares one call between verifications that overlap, and calls again once it has answered', async () => {
    const monitor = new ChannelMonitor(new SimulatedClock(T0));
    const s = scripted('eng-slack');
    const ch = monitor.watch(s.channel);
    await Promise.all([ch.verify(), ch.verify()]);
    expect(s.verifies()).toBe(1);
    await ch.verify();
    expect(s.verifies()).toBe(2);
  });

  it('passes every outcome through unchanged', async () => {
    const monitor = new ChannelMonitor(new SimulatedClock(T0));
    const s = scripted('eng-slack');
    const ch = monitor.watch(s.channel);
    const err = unreachable();
    s.next.push(err);
    await expect(ch.sendTest(notice)).rejects.toBe(err);
    await expect(ch.sendTest(notice)).resolves.toEqual({ ref: 't' });
    expect(ch.name).toBe('eng-slack');
    expect(ch.type).toBe('slack');
  });
});
