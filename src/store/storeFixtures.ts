import type { EscalationRecord, OutboxRow } from '../escalation/types.js';
import type { Transition } from '../lifecycle/types.js';
import type { TaskRecord } from './Store.js';

// Row builders shared by the store suites. Test code only.

/** An ISO time `s` seconds after a fixed origin, so tests order by time deterministically. */
export const isoAt = (s: number): string => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString();

/** A valid task record for store tests; `overrides` wins. */
export function makeTaskRecord(overrides: Partial<TaskRecord> & { id: string }): TaskRecord {
  return {
    workflow: 'review',
    status: 'queued',
    state: 'queued',
    input: { text: 'hello' },
    attempts: [],
    escalationIds: [],
    plan: ['a', 'b'],
    deadlineAt: isoAt(3600),
    createdAt: isoAt(0),
    updatedAt: isoAt(0),
    snapshot: { any: 'json' },
    inputHash: 'h',
    ...overrides,
  };
}

/** A transition of a task, `seq` onwards. */
export const makeTransition = (seq: number, to = 'running', from: string | null = 'queued'): Transition => ({
  seq,
  at: isoAt(seq),
  from,
  to,
  event: seq === 1 ? 'SUBMIT' : 'START',
});

/** A valid escalation record for store tests; `overrides` wins. */
export function makeEscalation(overrides: Partial<EscalationRecord> & { id: string }): EscalationRecord {
  return {
    fingerprint: 'fp',
    workflow: 'review',
    planKey: 'a>b',
    severity: 'high',
    initialSeverity: 'high',
    status: 'open',
    outcome: 'failed',
    taskId: 't1',
    taskIds: ['t1'],
    count: 1,
    errorCodes: ['AGENT_TIMEOUT'],
    finalErrorCode: 'AGENT_TIMEOUT',
    agentsTried: ['a', 'b'],
    channels: [{ channel: 'slack', delivered: false, attempts: 0, status: 'pending' }],
    createdAt: isoAt(0),
    updatedAt: isoAt(0),
    repeats: 0,
    ...overrides,
  };
}

/** A valid outbox row for store tests; `overrides` wins. */
export function makeOutboxRow(overrides: Partial<OutboxRow> & { id: string }): OutboxRow {
  return {
    escalationId: 'e1',
    channel: 'slack',
    kind: 'firing',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    createdAt: 0,
    ...overrides,
  };
}

export const submitted = (): Transition => makeTransition(1, 'queued', null);
