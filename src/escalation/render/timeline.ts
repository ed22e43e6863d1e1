/**
 * The state-transition timeline as channels show it: one line per transition, and the rule for
 * cutting a long timeline down to its beginning and its end.
 * @module
 */
import type { Transition } from '../../lifecycle/types.js';

/** The columns of one timeline row, for table layouts. Empty strings where a fact is absent. */
export interface TimelineRow {
  /** `HH:MM:SS.mmm`, UTC. */
  time: string;
  from: string;
  to: string;
  event: string;
  /** A run's transition: the step it is about, e.g. `build[4] degraded`; empty otherwise. */
  step: string;
  /** `agent#attempt`, `agent`, or empty. */
  agent: string;
  /** The error code, or empty. */
  code: string;
}

/** A task's first transition comes from nowhere; this stands in for its `from`. */
const NO_STATE = '∅';

/** One transition as table columns. */
export function timelineRow(t: Transition): TimelineRow {
  let agent = t.agent ?? '';
  if (agent && t.attempt !== undefined) agent += `#${t.attempt}`;
  return {
    time: clockTime(t.at),
    from: t.from ?? NO_STATE,
    to: t.to,
    event: t.event,
    step: stepLabel(t),
    agent,
    code: t.error?.code ?? '',
  };
}

/**
 * One transition as one line: `HH:MM:SS.mmm from → to EVENT step agent#n CODE`, leaving out the
 * step, agent and code when the transition has none.
 *
 * @example
 * formatTransition(t); // '10:15:02.731 attempting → waiting ATTEMPT_FAILED senior-backend-developer#1 AGENT_TIMEOUT'
 * formatTransition(r); // '10:15:09.004 running → running CHILD_ENDED build[4] degraded'
 */
export function formatTransition(t: Transition): string {
  const r = timelineRow(t);
  return [r.time, r.from, '→', r.to, r.event, r.step, r.agent, r.code].filter((part) => part !== '').join(' ');
}

/** The step a run's transition is about: `step`, `step[index]`, and how it ended when the detail says. */
function stepLabel(t: Transition): string {
  const d = t.detail;
  if (d?.step === undefined) return '';
  const item = d.index !== undefined ? `[${d.index}]` : d.items !== undefined ? ` (${d.items} items)` : '';
  return `${d.step}${item}${d.status !== undefined ? ` ${d.status}` : ''}`;
}

/** The UTC time of day of an ISO timestamp, to the millisecond; the raw value if it is no date. */
export function clockTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().slice(11, 23);
}

/** What {@link elide} keeps of a list: its beginning, its end, and how many items lie between. */
export interface Elided<T> {
  head: T[];
  /** How many items were left out between `head` and `tail`. */
  omitted: number;
  tail: T[];
}

/**
 * Keeps the beginning and the end of `items` within `budget`, where each item costs `cost(item)`
 * and the note saying what was left out costs `omittedCost(n)`. The first and last items are the
 * ones a reader needs (how it started, how it ended), so they are kept before anything between;
 * about a third of the budget goes to the head and the rest to the tail.
 *
 * @example
 * elide(lines, (l) => l.length + 1, 2900, (n) => `… ${n} more`.length + 1);
 */
export function elide<T>(
  items: readonly T[],
  cost: (item: T) => number,
  budget: number,
  omittedCost: (omitted: number) => number = () => 0,
): Elided<T> {
  const total = items.reduce((sum, item) => sum + cost(item), 0);
  if (total <= budget) return { head: [...items], omitted: 0, tail: [] };

  // the note is sized for the most that could be left out, so it always fits
  let room = budget - omittedCost(items.length);
  const head: T[] = [];
  const tail: T[] = [];
  let first = 0;
  let last = items.length - 1;
  // the first and the last item first, then a third of what is left for the head, the rest for the tail
  const takeFirst = (): number => {
    const c = cost(items[first]!);
    head.push(items[first++]!);
    return c;
  };
  const takeLast = (): number => {
    const c = cost(items[last]!);
    tail.unshift(items[last--]!);
    return c;
  };
  if (first <= last && cost(items[first]!) <= room) room -= takeFirst();
  if (first <= last && cost(items[last]!) <= room) room -= takeLast();
  let headRoom = Math.floor(room / 3);
  while (first <= last && cost(items[first]!) <= headRoom) {
    const c = takeFirst();
    headRoom -= c;
    room -= c;
  }
  while (first <= last && cost(items[last]!) <= room) room -= takeLast();
  return { head, omitted: last - first + 1, tail };
}
