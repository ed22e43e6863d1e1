/**
 * A realistic escalation of a run to render in docs and tests: the `ship` workflow degraded at
 * high severity because one item of its `build` step degraded and its `docs` step failed.
 * @module
 * @internal
 */
import type { ErrorInfo } from '../../errors/index.js';
import type { Transition } from '../../lifecycle/types.js';
import type { NotificationFacts, NotificationKind, FailedStepFacts } from './NotificationFacts.js';
import { failuresOf, sampleFacts } from './sampleFacts.js';

const RUN_ID = 'run_01J9ZM2A7K5Q8W3E6R9T1Y4U0V';
const START = Date.parse('2025-03-14T09:25:40.200Z');

const timeout: ErrorInfo = {
  code: 'AGENT_TIMEOUT',
  category: 'transient',
  severity: 'medium',
  retryable: true,
  message: 'no answer within 30000 ms',
};
const auth: ErrorInfo = {
  code: 'AUTH_FAILED',
  category: 'external',
  severity: 'high',
  retryable: false,
  message: 'HTTP 401 Unauthorized: {"error":"token_expired","message":"the docs service token expired at 2025-03-14T00:00:00Z"}',
};
const exhausted: ErrorInfo = {
  code: 'FALLBACK_EXHAUSTED',
  category: 'system',
  severity: 'high',
  retryable: false,
  message: 'the primary agent and its fallback chain failed',
};

type Row = [offset: number, from: string | null, to: string, event: string, extra?: Partial<Transition>];

function transitions(rows: readonly Row[]): Transition[] {
  return rows.map(([offset, from, to, event, extra], i) => ({
    seq: i + 1,
    at: new Date(START + offset).toISOString(),
    from,
    to,
    event,
    ...extra,
  }));
}

/**
 * The run's own transitions: `plan` completed, `build` fanned out over six files and one of
 * them degraded, `docs` failed, so `deploy` was skipped and the run degraded.
 *
 * @internal
 */
export function sampleRunTimeline(): Transition[] {
  const ended = (step: string, status: string, index?: number) => ({
    detail: { step, status, ...(index !== undefined ? { index } : {}) },
  });
  return transitions([
    [0, null, 'queued', 'SUBMIT'],
    [3, 'queued', 'running', 'START'],
    [5, 'running', 'running', 'STEP_RESOLVED', { detail: { step: 'plan' } }],
    [8_120, 'running', 'running', 'CHILD_ENDED', ended('plan', 'completed')],
    [8_124, 'running', 'running', 'STEP_RESOLVED', { detail: { step: 'build', items: 6 } }],
    [8_126, 'running', 'running', 'STEP_RESOLVED', { detail: { step: 'docs' } }],
    [8_731, 'running', 'running', 'CHILD_ENDED', ended('docs', 'failed')],
    [21_402, 'running', 'running', 'CHILD_ENDED', ended('build', 'completed', 0)],
    [23_958, 'running', 'running', 'CHILD_ENDED', ended('build', 'completed', 1)],
    [37_004, 'running', 'running', 'CHILD_ENDED', ended('build', 'completed', 2)],
    [40_317, 'running', 'running', 'CHILD_ENDED', ended('build', 'completed', 3)],
    [52_660, 'running', 'running', 'CHILD_ENDED', ended('build', 'completed', 5)],
    [69_385, 'running', 'running', 'CHILD_ENDED', ended('build', 'degraded', 4)],
    [69_388, 'running', 'finishing', 'STEP_RESOLVED', { detail: { step: 'deploy', status: 'skipped' } }],
    [69_392, 'finishing', 'degraded', 'OUTPUT_RESOLVED'],
  ]);
}

/**
 * The run's bad steps: item 4 of `build` timed out twice on `builder`, then `builder-lite`
 * timed out too and the item answered the degraded response; `docs` was refused by `writer`
 * and found `writer-mini` refusing too.
 *
 * @internal
 */
export function sampleRunSteps(): FailedStepFacts[] {
  const agent = (name: string, attempt: number, error?: ErrorInfo) => ({ agent: name, attempt, ...(error ? { error } : {}) });
  const build4 = transitions([
    [8_125, null, 'queued', 'SUBMIT'],
    [29_810, 'queued', 'routing', 'START'],
    [29_812, 'routing', 'attempting', 'ROUTED', agent('builder', 1)],
    [59_815, 'attempting', 'waiting', 'ATTEMPT_FAILED', agent('builder', 1, timeout)],
    [60_820, 'waiting', 'attempting', 'WAKE', agent('builder', 2)],
    [64_377, 'attempting', 'routing', 'ATTEMPT_FAILED', agent('builder', 2, timeout)],
    [64_380, 'routing', 'attempting', 'ROUTED', agent('builder-lite', 1)],
    [69_381, 'attempting', 'degrading', 'ATTEMPT_FAILED', agent('builder-lite', 1, timeout)],
    [69_383, 'degrading', 'degraded', 'DEGRADED', { error: exhausted }],
  ]);
  const docs = transitions([
    [8_126, null, 'queued', 'SUBMIT'],
    [8_127, 'queued', 'routing', 'START'],
    [8_129, 'routing', 'attempting', 'ROUTED', agent('writer', 1)],
    [8_502, 'attempting', 'routing', 'ATTEMPT_FAILED', agent('writer', 1, auth)],
    [8_504, 'routing', 'attempting', 'ROUTED', agent('writer-mini', 1)],
    [8_727, 'attempting', 'routing', 'ATTEMPT_FAILED', agent('writer-mini', 1, auth)],
    [8_729, 'routing', 'failed', 'NO_AGENT', { error: exhausted }],
  ]);
  return [
    {
      step: 'build',
      status: 'degraded',
      taskCount: 6,
      errorCodes: ['AGENT_TIMEOUT', 'FALLBACK_EXHAUSTED'],
      agentsTried: ['builder', 'builder-lite'],
      tasks: [
        {
          taskId: `${RUN_ID}.build.4`,
          index: 4,
          status: 'degraded',
          errorCodes: ['AGENT_TIMEOUT', 'FALLBACK_EXHAUSTED'],
          agentsTried: ['builder', 'builder-lite'],
          failures: failuresOf(build4),
          timeline: build4,
        },
      ],
      moreTasks: 0,
    },
    {
      step: 'docs',
      status: 'failed',
      taskCount: 1,
      errorCodes: ['AUTH_FAILED', 'FALLBACK_EXHAUSTED'],
      agentsTried: ['writer', 'writer-mini'],
      tasks: [
        {
          taskId: `${RUN_ID}.docs`,
          status: 'failed',
          errorCodes: ['AUTH_FAILED', 'FALLBACK_EXHAUSTED'],
          agentsTried: ['writer', 'writer-mini'],
          failures: failuresOf(docs),
          timeline: docs,
        },
      ],
      moreTasks: 0,
    },
  ];
}

/**
 * The facts of the sample run's escalation as a notification of `kind`.
 *
 * @internal
 */
export function sampleRunFacts(kind: NotificationKind = 'firing', overrides: Partial<NotificationFacts> = {}): NotificationFacts {
  const timeline = sampleRunTimeline();
  // a run calls no agent itself: its failed attempts are its step tasks'
  const { failures: _taskFailures, ...facts } = sampleFacts(kind, {
    escalationId: 'esc_01J9ZM4D6F8H0K2M4P6R8T0W2Y',
    workflow: 'ship',
    outcome: 'degraded',
    taskId: RUN_ID,
    taskIds: [RUN_ID],
    errorCodes: ['AGENT_TIMEOUT', 'AUTH_FAILED', 'FALLBACK_EXHAUSTED'],
    finalErrorCode: 'FALLBACK_EXHAUSTED',
    agentsTried: ['planner', 'builder', 'builder-lite', 'writer', 'writer-mini'],
    timeline,
    steps: sampleRunSteps(),
    input: { repository: 'acme/payments', ref: 'release/2025.03' },
    output: { status: 'degraded', message: 'Release automation unavailable' },
    dashboardUrl: `http://127.0.0.1:8080/#/tasks/${RUN_ID}`,
    ...(kind === 'firing' ? { at: timeline.at(-1)!.at } : {}),
    ...overrides,
  });
  return overrides.failures ? { ...facts, failures: overrides.failures } : facts;
}
