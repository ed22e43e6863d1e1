/**
 * The wording every channel shares: titles, the field list and the one-line follow-ups, so Slack,
 * email and the log say the same thing in the same words. Values here are raw; each renderer
 * redacts and escapes them for its own format.
 * @module
 */
import type { Severity } from '../../errors/index.js';
import type { NotificationFacts, NotificationKind } from './NotificationFacts.js';

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = Object.freeze({
  low: '🔵',
  medium: '🟡',
  high: '🔴',
  critical: '🚨',
});

const KIND_EMOJI: Readonly<Record<NotificationKind, string>> = Object.freeze({
  firing: '🔥',
  repeat: '🔔',
  grouped: '🔁',
  acknowledged: '✅',
  resolved: '🟢',
  're-escalated': '⬆️',
});

/** How many grouped task ids a follow-up names before it says `…`. */
const MAX_LISTED_TASKS = 5;

/** The emoji that marks a severity: 🔵 low, 🟡 medium, 🔴 high, 🚨 critical. */
export function severityEmoji(severity: Severity): string {
  return SEVERITY_EMOJI[severity];
}

/** The emoji that starts a follow-up of this kind. */
export function kindEmoji(kind: NotificationKind): string {
  return KIND_EMOJI[kind];
}

/** What happened, e.g. `code-review failed`. */
export function headline(facts: NotificationFacts): string {
  return `${facts.workflow} ${facts.outcome}`;
}

/** The title of the first message, e.g. `🔴 HIGH · code-review failed`. */
export function title(facts: NotificationFacts): string {
  return `${severityEmoji(facts.severity)} ${facts.severity.toUpperCase()} · ${headline(facts)}`;
}

/**
 * The news of a follow-up in one sentence, without emoji, e.g. `Repeated 5 more times (tasks: a, b, c …)`,
 * `Acknowledged by alice`, `Resolved: code-review succeeded again`,
 * `Not acknowledged: re-escalated to CRITICAL`. For `firing` it is the headline with the task id.
 */
export function followUpLine(facts: NotificationFacts): string {
  const note = facts.note ? ` — “${facts.note}”` : '';
  switch (facts.kind) {
    case 'firing':
      return `${headline(facts)} — task ${facts.taskId}`;
    case 'repeat':
      return `Still not acknowledged: ${headline(facts)}${facts.count > 1 ? `, ${facts.count} tasks so far` : ''}`;
    case 'grouped':
      return `Repeated ${plural(Math.max(0, facts.count - 1), 'more time')}${groupedTasks(facts)}`;
    case 'acknowledged':
      return `Acknowledged${facts.ackedBy ? ` by ${facts.ackedBy}` : ''}${note}`;
    case 'resolved':
      return facts.resolvedBy ? `Resolved by ${facts.resolvedBy}${note}` : `Resolved: ${facts.workflow} succeeded again${note}`;
    case 're-escalated':
      return `Not acknowledged: re-escalated to ${facts.severity.toUpperCase()}${note}`;
  }
}

/** The heading of the output excerpt: `Degraded output` for a degraded task, `Output` otherwise. */
export function outputLabel(facts: Pick<NotificationFacts, 'outcome'>): string {
  return facts.outcome === 'degraded' ? 'Degraded output' : 'Output';
}

/** One labelled fact of the summary, e.g. `{ label: 'Final error', value: 'FALLBACK_EXHAUSTED' }`. */
export interface SummaryField {
  label: string;
  value: string;
}

/**
 * The facts every first message lists, in order: workflow, task, severity, outcome, final
 * error, error codes, agents tried, a run's failed or degraded steps, and the task count when
 * more than one task was grouped.
 */
export function summaryFields(facts: NotificationFacts): SummaryField[] {
  const fields: SummaryField[] = [
    { label: 'Workflow', value: facts.workflow },
    { label: 'Task', value: facts.taskId },
    { label: 'Severity', value: facts.severity.toUpperCase() },
    { label: 'Outcome', value: facts.outcome },
    { label: 'Final error', value: facts.finalErrorCode },
    { label: 'Error codes', value: facts.errorCodes.length > 0 ? facts.errorCodes.join(', ') : '—' },
    { label: 'Agents tried', value: facts.agentsTried.length > 0 ? facts.agentsTried.join(' → ') : '—' },
  ];
  const steps = stepsSummary(facts);
  if (steps) fields.push({ label: 'Steps', value: steps });
  if (facts.count > 1) fields.push({ label: 'Count', value: `${facts.count} tasks` });
  return fields;
}

/** A run's failed or degraded steps on one line, e.g. `build degraded, docs failed`; undefined when there are none. */
export function stepsSummary(facts: Pick<NotificationFacts, 'steps' | 'moreSteps'>): string | undefined {
  const steps = facts.steps ?? [];
  if (steps.length === 0) return undefined;
  const listed = steps.map((s) => `${s.step} ${s.status}`).join(', ');
  return facts.moreSteps ? `${listed}, and ${facts.moreSteps} more` : listed;
}

function groupedTasks(facts: NotificationFacts): string {
  const others = facts.taskIds.filter((id) => id !== facts.taskId);
  if (others.length === 0) return '';
  const shown = others.slice(0, MAX_LISTED_TASKS);
  const more = Math.max(others.length, facts.count - 1) > shown.length ? ' …' : '';
  return ` (tasks: ${shown.join(', ')}${more})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
