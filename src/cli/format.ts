/** Text formatting shared by the CLI's commands: tables, durations and transition lines. */
import type { Task, Transition } from '../lifecycle/types.js';

/** Renders rows as an aligned text table with a header. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "1.2s", "340ms", "2m05s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  // Round to whole seconds first, so 119.8 s reads 2m00s, not 1m60s.
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

/** What to call a task in a sentence: "run" for a multi-step workflow's, "task" otherwise. */
export function noun(task: Pick<Task, 'kind'>): string {
  return task.kind === 'run' ? 'run' : 'task';
}

/** A step and, under `forEach`, its item: "plan", "build#2". */
export function stepRef(step: string, index?: number): string {
  return index === undefined ? step : `${step}#${index}`;
}

/**
 * The steps of a run that have a `forEach`, read from its timeline: their STEP_RESOLVED
 * transition counts the items. A plain step's child also has index 0, and naming it `plan#0`
 * would suggest items it does not have.
 */
export function forEachSteps(transitions: readonly Transition[]): Set<string> {
  const steps = new Set<string>();
  for (const t of transitions) if (t.detail?.step !== undefined && t.detail.items !== undefined) steps.add(t.detail.step);
  return steps;
}

/**
 * What a run's transition says about its step: "build (3 items)", "build#2 failed",
 * "docs skipped"; empty for a transition about no step (a task's, or the run's START).
 */
export function stepNote(t: Transition, forEach: ReadonlySet<string> = new Set()): string {
  const d = t.detail;
  if (d?.step === undefined) return '';
  const ref = stepRef(d.step, forEach.has(d.step) ? d.index : undefined);
  const items = d.items !== undefined ? ` (${d.items} item${d.items === 1 ? '' : 's'})` : '';
  return `${ref}${items}${d.status ? ` ${d.status}` : ''}`;
}

/** One transition as a line: time, from → to, event, agent/attempt or step, error. */
export function transitionLine(t: Transition, forEach?: ReadonlySet<string>): string {
  const who = t.agent ? ` ${t.agent}#${t.attempt ?? 1}` : '';
  const note = stepNote(t, forEach);
  const step = note ? ` ${note}` : '';
  const err = t.error ? ` ${t.error.code}${t.error.message ? `: ${t.error.message}` : ''}` : '';
  const wait = t.detail?.delayMs !== undefined ? ` (retry in ${duration(t.detail.delayMs)})` : '';
  const skipped = t.detail?.skipped?.length ? ` [skipped ${t.detail.skipped.map((s) => `${s.agent}: ${s.reason}`).join(', ')}]` : '';
  return `${t.at.slice(11, 23)}  ${t.from ?? '∅'} → ${t.to}  ${t.event}${who}${step}${err}${wait}${skipped}`;
}

/**
 * The timeline as a table with the time spent in each state. A run's timeline (`run: true`) has
 * a `step` column, saying which step each transition is about, where a task's has `agent`.
 */
export function timelineTable(transitions: Transition[], opts: { run?: boolean } = {}): string {
  const forEach = forEachSteps(transitions);
  const rows = transitions.map((t, i) => {
    const next = transitions[i + 1];
    const spent = next ? duration(Date.parse(next.at) - Date.parse(t.at)) : '';
    return [
      String(t.seq),
      t.at.slice(11, 23),
      `${t.from ?? '∅'} → ${t.to}`,
      t.event,
      opts.run ? stepNote(t, forEach) : t.agent ? `${t.agent}#${t.attempt ?? 1}` : '',
      t.error?.code ?? '',
      spent,
    ];
  });
  return table(['#', 'time', 'transition', 'event', opts.run ? 'step' : 'agent', 'error', 'in state'], rows);
}
