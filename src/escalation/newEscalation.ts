/**
 * A new escalation record: open, counted once, pending on each of its routed channels.
 * @internal
 */
import { randomUUID } from 'node:crypto';
import { iso } from '../clock/iso.js';
import type { EscalationRecord } from './types.js';

/** What differs between escalations when they open: their cause, routing and first facts. */
export type NewEscalationFields = Pick<
  EscalationRecord,
  | 'fingerprint'
  | 'workflow'
  | 'planKey'
  | 'severity'
  | 'outcome'
  | 'taskId'
  | 'taskIds'
  | 'errorCodes'
  | 'finalErrorCode'
  | 'agentsTried'
  | 'timeline'
  | 'details'
>;

/** A new open escalation with a fresh id, sent to `channels` (none: the log only), opened at `now`. */
export function newEscalation(fields: NewEscalationFields, channels: readonly string[], now: number): EscalationRecord {
  const { timeline, details, ...facts } = fields;
  return {
    id: `esc_${randomUUID()}`,
    fingerprint: facts.fingerprint,
    workflow: facts.workflow,
    planKey: facts.planKey,
    severity: facts.severity,
    initialSeverity: facts.severity,
    status: 'open',
    outcome: facts.outcome,
    taskId: facts.taskId,
    taskIds: facts.taskIds,
    count: 1,
    errorCodes: facts.errorCodes,
    finalErrorCode: facts.finalErrorCode,
    agentsTried: facts.agentsTried,
    channels: channels.map((channel) => ({ channel, delivered: false, attempts: 0, status: 'pending' })),
    createdAt: iso(now),
    updatedAt: iso(now),
    repeats: 0,
    // Only incidents carry these; a task's escalation reads its timeline from the task.
    ...(timeline !== undefined ? { timeline, details } : {}),
  };
}
