import type { Clock } from '../../clock/index.js';
import type { SupervisorEscalations } from '../SupervisorHost.js';
import { abortable, describeFailure, type HealthCheck } from './HealthCheck.js';

/** The escalation service's words for a send, in its `changed` event: `firing sent to eng-slack`. */
const SENT = /^\S+ sent to (.+)$/;

/**
 * Whether the escalation channels that talk to a service can be reached; the log channel always
 * can. A channel that delivered a message within the last `freshMs` is taken as reachable (its
 * last send proved it) and costs no call; any other is verified (Slack `auth.test`, SMTP verify).
 * Fails naming each channel that can't be reached.
 */
export function channelsCheck(
  escalations: Pick<SupervisorEscalations, 'channels' | 'on' | 'off'>,
  clock: Clock,
  freshMs: number,
): HealthCheck {
  const lastSent = new Map<string, number>();
  const onChanged = (_record: unknown, what: string) => {
    const m = SENT.exec(what);
    if (m) lastSent.set(m[1]!, clock.now());
  };
  escalations.on('changed', onChanged);
  return {
    type: 'channels',
    run: async (signal) => {
      const remote = [...escalations.channels.values()].filter((c) => c.type !== 'log');
      if (!remote.length) return { ok: true, detail: 'no channel to verify (log only)' };
      const now = clock.now();
      const results = await Promise.all(
        remote.map(async (c) => {
          if (now - (lastSent.get(c.name) ?? -Infinity) <= freshMs) return undefined;
          try {
            await abortable(c.verify(), signal);
            return undefined;
          } catch (err) {
            return `${c.name}: ${describeFailure(err)}`;
          }
        }),
      );
      const bad = results.filter((r): r is string => r !== undefined);
      return bad.length
        ? { ok: false, value: bad.length, detail: bad.join('; ') }
        : { ok: true, value: 0, detail: `${remote.length} channel(s) reachable` };
    },
    close: () => escalations.off('changed', onChanged),
  };
}
