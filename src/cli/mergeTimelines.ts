/**
 * Merges the timelines of a run's tasks into one, in the order the engine made the transitions,
 * as well as the API lets it be told: by time, to the millisecond. Within one millisecond (a run
 * and the step tasks it creates share a commit, and a fast agent ends a step in the same
 * millisecond its run records it), the order follows from what causes what:
 * - a step task is created by its run's STEP_RESOLVED for the step, or, for a later item of a
 *   `forEach` step, by the CHILD_ENDED of an earlier one; its creation comes right after that;
 * - a step task's other transitions come before its run's of the same millisecond, which follow
 *   from them (the task ends, then the run records CHILD_ENDED).
 */
import type { Transition } from '../lifecycle/types.js';

/** The transitions of one task still to be merged, in seq order, and where the task sits. */
export interface TaskTimeline {
  /** The run this task is a step of, when that run is in the merge too. */
  readonly parent?: TaskTimeline;
  readonly step?: string;
  readonly index?: number;
  readonly transitions: readonly Transition[];
}

interface Head {
  readonly timeline: TaskTimeline;
  readonly depth: number;
  /** Position in the input: the last tie-break. */
  readonly order: number;
  next: number;
}

/** The transitions of every timeline, each timeline's in its own order, merged as the engine made them. */
export function mergeTimelines(timelines: readonly TaskTimeline[]): { timeline: TaskTimeline; transition: Transition }[] {
  const heads: Head[] = timelines.map((timeline, order) => ({ timeline, depth: depthOf(timeline), order, next: 0 }));
  const merged: { timeline: TaskTimeline; transition: Transition }[] = [];
  for (;;) {
    let best: Head | undefined;
    for (const h of heads) if (h.next < h.timeline.transitions.length && (!best || before(h, best))) best = h;
    if (!best) return merged;
    merged.push({ timeline: best.timeline, transition: best.timeline.transitions[best.next++]! });
  }
}

function before(a: Head, b: Head): boolean {
  const ta = a.timeline.transitions[a.next]!;
  const tb = b.timeline.transitions[b.next]!;
  if (ta.at !== tb.at) return ta.at < tb.at;
  if (ta.seq === 1 && a.timeline.parent === b.timeline) return !creatorAhead(b, a.timeline, ta.at);
  if (tb.seq === 1 && b.timeline.parent === a.timeline) return creatorAhead(a, b.timeline, tb.at);
  const tier = (h: Head, t: Transition) => (t.seq === 1 ? h.depth : -h.depth);
  const [ra, rb] = [tier(a, ta), tier(b, tb)];
  return ra !== rb ? ra < rb : a.order < b.order;
}

/** Whether the run still has, at `at`, the transition that created `child`. */
function creatorAhead(run: Head, child: TaskTimeline, at: string): boolean {
  return run.timeline.transitions.slice(run.next).some((t) => t.at === at && creates(t, child));
}

/** A plain step's one task is index 0 in its run's CHILD_ENDED, as an item is. */
function creates(t: Transition, child: TaskTimeline): boolean {
  if (t.detail?.step === undefined || t.detail.step !== child.step) return false;
  return t.event === 'STEP_RESOLVED' || (t.event === 'CHILD_ENDED' && t.detail.index !== (child.index ?? 0));
}

function depthOf(timeline: TaskTimeline): number {
  let depth = 0;
  for (let p = timeline.parent; p; p = p.parent) depth++;
  return depth;
}
