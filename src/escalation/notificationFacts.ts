/**
 * The facts of one notification about an escalation, gathered from the escalation and its task.
 * @internal
 */
import type { Clock } from '../clock/index.js';
import { iso } from '../clock/iso.js';
import type { Store } from '../store/Store.js';
import type { NotificationFacts, NotificationKind } from './render/NotificationFacts.js';
import { attemptFailures, distinct, failedStepFacts } from './failedStepFacts.js';
import type { EscalationRecord } from './types.js';

/**
 * What a `kind` notification about `e` says: its own facts, the task's input, output,
 * transitions and failed attempts with the agents' messages (an incident's own timeline and
 * details instead), a run's failed or degraded steps with their own timelines and failed
 * attempts, and a dashboard link when `dashboardUrl` is known.
 */
export async function notificationFacts(
  store: Store,
  clock: Clock,
  e: EscalationRecord,
  kind: NotificationKind,
  dashboardUrl: string | undefined,
): Promise<NotificationFacts> {
  const task = e.timeline ? undefined : await store.getTask(e.taskId);
  const timeline = e.timeline ?? (await store.transitions(e.taskId));
  const run = task?.kind === 'run' ? await failedStepFacts(store, task, timeline) : undefined;
  const failures = task ? attemptFailures(task.attempts) : [];
  return {
    escalationId: e.id,
    kind,
    severity: e.severity,
    workflow: e.workflow,
    outcome: e.outcome,
    taskId: e.taskId,
    taskIds: e.taskIds,
    count: e.count,
    errorCodes: e.errorCodes,
    finalErrorCode: e.finalErrorCode,
    // a run calls no agent itself: its summary names the agents of its failed or degraded steps
    agentsTried: run && e.agentsTried.length === 0 ? distinct(run.steps.flatMap((s) => s.agentsTried)) : e.agentsTried,
    // what the agents said, which the codes alone do not
    ...(failures.length > 0 ? { failures } : {}),
    timeline,
    ...(run ? { steps: run.steps, ...(run.moreSteps > 0 ? { moreSteps: run.moreSteps } : {}) } : {}),
    ...(task ? { input: task.input, output: task.output } : {}),
    ...(e.details !== undefined ? { input: e.details } : {}),
    ...(dashboardUrl ? { dashboardUrl: `${dashboardUrl.replace(/\/+$/, '')}/#/tasks/${e.taskId}` } : {}),
    at: iso(clock.now()),
    ...(e.ackedBy ? { ackedBy: e.ackedBy } : {}),
    ...(kind === 're-escalated' && e.previousSeverity ? { previousSeverity: e.previousSeverity } : {}),
    ...(kind === 'resolved' && e.resolvedBy ? { resolvedBy: e.resolvedBy } : {}),
  };
}
