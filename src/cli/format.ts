import type { Transition } from '../lifecycle/types.js';

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

/** One transition as a line: time, from → to, event, agent/attempt, error. */
export function transitionLine(t: Transition): string {
  const who = t.agent ? ` ${t.agent}#${t.attempt ?? 1}` : '';
  const err = t.error ? ` ${t.error.code}${t.error.message ? `: ${t.error.message}` : ''}` : '';
  const wait = t.detail?.delayMs !== undefined ? ` (retry in ${duration(t.detail.delayMs)})` : '';
  const skipped = t.detail?.skipped?.length ? ` [skipped ${t.detail.skipped.map((s) => `${s.agent}: ${s.reason}`).join(', ')}]` : '';
  return `${t.at.slice(11, 23)}  ${t.from ?? '∅'} → ${t.to}  ${t.event}${who}${err}${wait}${skipped}`;
}

/** The timeline as a table with the time spent in each state. */
export function timelineTable(transitions: Transition[]): string {
  const rows = transitions.map((t, i) => {
    const next = transitions[i + 1];
    const spent = next ? duration(Date.parse(next.at) - Date.parse(t.at)) : '';
    return [
      String(t.seq),
      t.at.slice(11, 23),
      `${t.from ?? '∅'} → ${t.to}`,
      t.event,
      t.agent ? `${t.agent}#${t.attempt ?? 1}` : '',
      t.error?.code ?? '',
      spent,
    ];
  });
  return table(['#', 'time', 'transition', 'event', 'agent', 'error', 'in state'], rows);
}
