/**
 * A realistic escalation to render in docs and tests: `code-review` failed at high severity
 * after three agents and eleven transitions.
 * @module
 * @internal
 */
import type { ErrorInfo } from '../../errors/index.js';
import type { Transition } from '../../lifecycle/types.js';
import type { AttemptFailure, NotificationFacts, NotificationKind } from './NotificationFacts.js';

const TASK_ID = 'tsk_01J9ZK4Q8M3V7C2R5X6B0N1D4E';
const START = Date.parse('2025-03-14T09:26:53.120Z');

const err = (code: string, message: string, severity: ErrorInfo['severity'], retryable: boolean): ErrorInfo => ({
  code,
  category: retryable ? 'transient' : code === 'AUTH_FAILED' ? 'external' : 'system',
  severity,
  retryable,
  message,
});

/**
 * The transitions of a task that timed out twice on its primary agent, was refused by the
 * first fallback and found the second one down, and so failed.
 *
 * @internal
 */
export function sampleTimeline(): Transition[] {
  const steps: [number, string | null, string, string, string?, number?, ErrorInfo?][] = [
    [0, null, 'queued', 'SUBMIT'],
    [4, 'queued', 'routing', 'START'],
    [6, 'routing', 'attempting', 'ROUTED', 'senior-backend-developer', 1],
    [
      30_011,
      'attempting',
      'waiting',
      'ATTEMPT_FAILED',
      'senior-backend-developer',
      1,
      err('AGENT_TIMEOUT', 'no answer within 30000 ms', 'medium', true),
    ],
    [31_020, 'waiting', 'attempting', 'WAKE', 'senior-backend-developer', 2],
    [
      61_032,
      'attempting',
      'routing',
      'ATTEMPT_FAILED',
      'senior-backend-developer',
      2,
      err('AGENT_TIMEOUT', 'no answer within 30000 ms', 'medium', true),
    ],
    [61_035, 'routing', 'attempting', 'ROUTED', 'senior-full-stack-developer', 1],
    [
      61_410,
      'attempting',
      'routing',
      'ATTEMPT_FAILED',
      'senior-full-stack-developer',
      1,
      err('AUTH_FAILED', 'HTTP 401 Unauthorized: {"error":"invalid_api_key","message":"the key was revoked on 2025-03-13"}', 'high', false),
    ],
    [61_412, 'routing', 'attempting', 'ROUTED', 'senior-ai-engineer', 1],
    [
      61_498,
      'attempting',
      'routing',
      'ATTEMPT_FAILED',
      'senior-ai-engineer',
      1,
      err('AGENT_UNAVAILABLE', 'HTTP 503 Service Unavailable: model review-large is overloaded, retry in 30 s', 'medium', true),
    ],
    [
      61_501,
      'routing',
      'failed',
      'NO_AGENT',
      undefined,
      undefined,
      err('FALLBACK_EXHAUSTED', 'the primary agent and its fallback chain failed', 'high', false),
    ],
  ];
  return steps.map(([offset, from, to, event, agent, attempt, error], i) => ({
    seq: i + 1,
    at: new Date(START + offset).toISOString(),
    from,
    to,
    event,
    ...(agent !== undefined ? { agent } : {}),
    ...(attempt !== undefined ? { attempt } : {}),
    ...(error !== undefined ? { error } : {}),
  }));
}

/**
 * The failed attempts of a timeline, as the task's attempts record them: one per
 * `ATTEMPT_FAILED` transition, with its agent, attempt and error.
 *
 * @internal
 */
export function failuresOf(timeline: readonly Transition[]): AttemptFailure[] {
  return timeline.flatMap((t) =>
    t.event === 'ATTEMPT_FAILED' && t.agent !== undefined && t.error
      ? [{ agent: t.agent, attempt: t.attempt ?? 1, code: t.error.code, message: t.error.message }]
      : [],
  );
}

/**
 * The facts of the sample escalation as a notification of `kind`.
 *
 * @internal
 */
export function sampleFacts(kind: NotificationKind = 'firing', overrides: Partial<NotificationFacts> = {}): NotificationFacts {
  const timeline = sampleTimeline();
  const base: NotificationFacts = {
    escalationId: 'esc_01J9ZK6B2T8W4Y0H3F5G7J9K1M',
    kind,
    severity: 'high',
    workflow: 'code-review',
    outcome: 'failed',
    taskId: TASK_ID,
    taskIds: [TASK_ID],
    count: 1,
    errorCodes: ['AGENT_TIMEOUT', 'AUTH_FAILED', 'AGENT_UNAVAILABLE', 'FALLBACK_EXHAUSTED'],
    finalErrorCode: 'FALLBACK_EXHAUSTED',
    agentsTried: ['senior-backend-developer', 'senior-full-stack-developer', 'senior-ai-engineer'],
    failures: failuresOf(timeline),
    timeline,
    input: {
      repository: 'acme/payments',
      pullRequest: 4182,
      content:
        'export function refund(order: Order, amount: number) {\n  if (amount > order.total) throw new RangeError("amount");\n  return gateway.refund(order.id, amount);\n}\n',
    },
    dashboardUrl: `http://127.0.0.1:8080/#/tasks/${TASK_ID}`,
    at: timeline.at(-1)!.at,
  };
  const byKind: Partial<Record<NotificationKind, Partial<NotificationFacts>>> = {
    repeat: { at: '2025-03-14T09:33:00.000Z' },
    grouped: {
      taskIds: [TASK_ID, 'tsk_01J9ZK7C4N', 'tsk_01J9ZK7D9P', 'tsk_01J9ZK7F2Q', 'tsk_01J9ZK7H5R', 'tsk_01J9ZK7K8S', 'tsk_01J9ZK7M1T'],
      count: 7,
      at: '2025-03-14T09:28:30.000Z',
    },
    acknowledged: { ackedBy: 'alice', note: 'looking into the agent fleet', at: '2025-03-14T09:35:12.000Z' },
    resolved: { at: '2025-03-14T09:51:40.000Z' },
    're-escalated': { severity: 'critical', previousSeverity: 'high', at: '2025-03-14T09:42:00.000Z' },
  };
  return { ...base, ...byKind[kind], ...overrides };
}
