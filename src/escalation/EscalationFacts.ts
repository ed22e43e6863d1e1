/**
 * The facts an ended task escalates with: its severity, and the event that routing, dedup and
 * the messages read (error codes, agents tried, fingerprint). Pure.
 * @module
 */
import { iso } from '../clock/iso.js';
import { maxSeverity, type Severity } from '../errors/index.js';
import type { EscalationEvent } from '../lifecycle/events.js';
import type { FailureInfo } from '../lifecycle/taskMachine.js';
import { stripFailure } from '../lifecycle/taskRecord.js';
import type { AttemptRecord } from '../lifecycle/types.js';

/** Lifecycle codes that say where the lifecycle went, not how bad an agent's failure was. */
const NOT_FOR_SEVERITY: ReadonlySet<string> = new Set([
  'FALLBACK_EXHAUSTED',
  'CIRCUIT_OPEN',
  'BULKHEAD_FULL',
  'AGENT_UNHEALTHY',
  'CANCELLED',
]);

/** An ended task's severity: the highest of its agents' failures and its workflow's least severity. */
export function taskSeverity(workflowSeverity: Severity | undefined, failures: readonly FailureInfo[]): Severity {
  const counted = failures.filter((f) => !NOT_FOR_SEVERITY.has(f.code)).map((f) => f.severity);
  return maxSeverity(workflowSeverity ?? 'medium', ...counted);
}

/** What an escalation of a task is made of. */
export interface EndedTask {
  taskId: string;
  workflow: string;
  status: 'degraded' | 'failed';
  severity: Severity;
  attempts: readonly AttemptRecord[];
  failures: readonly FailureInfo[];
  finalError: FailureInfo | undefined;
  /** Engine time of the end. */
  at: number;
}

/**
 * The escalation event of a task that ended degraded or failed. Its fingerprint (workflow,
 * final error code, agents tried) groups repeats within the dedup window.
 */
export function escalationFacts(t: EndedTask): EscalationEvent {
  const agentsTried = [...new Set(t.attempts.map((a) => a.agent))];
  const agentFailures = t.failures.filter((f) => f.agent !== undefined && !NOT_FOR_SEVERITY.has(f.code));
  const finalErrorCode = agentFailures.at(-1)?.code ?? t.finalError?.code ?? 'FALLBACK_EXHAUSTED';
  return {
    taskId: t.taskId,
    workflow: t.workflow,
    status: t.status,
    severity: t.severity,
    errorCodes: t.failures.map((f) => f.code),
    finalErrorCode,
    agentsTried,
    fingerprint: `${t.workflow}|${finalErrorCode}|${[...agentsTried].sort().join(',')}`,
    ...(t.finalError ? { error: stripFailure(t.finalError) } : {}),
    at: iso(t.at),
  };
}
