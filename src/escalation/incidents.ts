/**
 * Incidents: escalations that no task caused, such as a component the supervisor could not recover.
 * @module
 */
import { iso } from '../clock/iso.js';
import type { EscalationConfig } from '../config/index.js';
import type { Severity } from '../errors/index.js';
import type { Transition } from '../lifecycle/types.js';
import { timersFor } from './escalationTimers.js';
import { newEscalation } from './newEscalation.js';
import { groupedReplies, outboxRow } from './outboxRow.js';
import { routeChannels } from './router.js';
import type { EscalationRecord, EscalationWrite } from './types.js';

/** An escalation that no task caused, e.g. a component the supervisor could not recover. */
export interface IncidentInput {
  /** Identifies the incident; raising it again while unresolved groups into the open one. */
  key: string;
  /** The component, e.g. `agent:senior-backend-developer` or `system:event-loop`; shown where a workflow would be. */
  source: string;
  severity: Severity;
  /** A stable error code, e.g. RECOVERY_FAILED or RESTART_INTENSITY_EXCEEDED. */
  code: string;
  /** One line for the log. */
  summary: string;
  /** The component's recent transitions, shown as the message's timeline. */
  timeline: Transition[];
  /** Health history, strategies tried and their outcomes: shown as the message's details. */
  details?: unknown;
  /** Agents involved, for routing rules that match on agent. */
  agents?: string[];
}

/**
 * The write that opens an escalation for an incident: keyed and planned by `input.key`, shown
 * under `input.source`, routed like a failed task of that source. Its record comes first.
 */
export function openIncident(config: EscalationConfig, input: IncidentInput, now: number): EscalationWrite {
  const agentsTried = input.agents ?? [];
  const channels = routeChannels(config, { workflow: input.source, severity: input.severity, finalErrorCode: input.code, agentsTried });
  const record = newEscalation(
    {
      fingerprint: input.key,
      workflow: input.source,
      planKey: input.key,
      severity: input.severity,
      outcome: 'failed',
      taskId: input.source,
      taskIds: [],
      errorCodes: [input.code],
      finalErrorCode: input.code,
      agentsTried,
      timeline: input.timeline,
      details: input.details,
    },
    channels,
    now,
  );
  return {
    records: [record],
    outbox: channels.map((c) => outboxRow(record.id, c, 'firing', now, now)),
    timers: timersFor(config, record, now),
  };
}

/**
 * The write that groups the incident raised again into its open escalation `existing`: counted
 * once more, with the newest timeline and details, and a batched reply to each channel that has
 * none `pending`.
 */
export function groupIncident(
  existing: EscalationRecord,
  input: IncidentInput,
  pending: ReadonlySet<string>,
  now: number,
): EscalationWrite {
  existing.count += 1;
  existing.timeline = input.timeline;
  existing.details = input.details;
  existing.updatedAt = iso(now);
  return { records: [existing], outbox: groupedReplies(existing, pending, now), timers: [] };
}
