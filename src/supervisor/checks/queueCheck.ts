import type { Clock } from '../../clock/index.js';
import type { SupervisedAgents, SupervisorStore } from '../SupervisorHost.js';
import { abortable, type HealthCheck } from './HealthCheck.js';

/** How many queued tasks are read to find the oldest: past this many the age is a lower bound. */
const SCAN = 1000;

/**
 * Fails when the oldest queued task has waited longer than `maxAgeMs`: work is coming in faster
 * than it leaves. Reads at most the newest {@link SCAN} queued tasks (the store lists newest
 * first), so with a longer backlog the age it sees is a lower bound, which still trips the check.
 * The detail adds the calls waiting in the agents' bulkhead queues.
 */
export function queueCheck(
  store: Pick<SupervisorStore, 'listTasks'>,
  agents: SupervisedAgents,
  clock: Clock,
  maxAgeMs: number,
): HealthCheck {
  return {
    type: 'queue',
    run: async (signal) => {
      const queued = await abortable(store.listTasks({ status: 'queued', limit: SCAN }), signal);
      const now = clock.now();
      const oldest = queued.reduce((min, t) => Math.min(min, Date.parse(t.updatedAt)), now);
      const ageMs = Math.max(0, now - oldest);
      const waiting = agents.ids().reduce((n, id) => n + (agents.get(id)?.bulkhead.queued ?? 0), 0);
      const ok = ageMs <= maxAgeMs;
      const count = queued.length >= SCAN ? `${SCAN}+` : String(queued.length);
      return {
        ok,
        value: ageMs,
        detail: `${count} queued task(s), oldest ${ageMs} ms ${ok ? '≤' : '>'} ${maxAgeMs} ms; ${waiting} call(s) waiting for an agent slot`,
      };
    },
  };
}
