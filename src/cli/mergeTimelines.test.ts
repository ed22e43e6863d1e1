import { describe, expect, it } from 'vitest';
import type { Transition } from '../lifecycle/types.js';
import { mergeTimelines, type TaskTimeline } from './mergeTimelines.js';

const T = '2025-01-31T12:00:00.000Z';
const T1 = '2025-01-31T12:00:00.001Z';
let seqs = new Map<string, number>();
/** A transition of `who` at `at`, numbered in the order written. */
const tr = (who: string, event: string, at = T, detail?: Transition['detail']): Transition => {
  const seq = (seqs.get(who) ?? 0) + 1;
  seqs.set(who, seq);
  return { seq, at, from: null, to: event.toLowerCase(), event, ...(detail ? { detail } : {}) };
};
const names = new Map<TaskTimeline, string>();
const render = (merged: ReturnType<typeof mergeTimelines>) =>
  merged.map(({ timeline, transition }) => `${names.get(timeline)} ${transition.event}`);
function timeline(name: string, transitions: Transition[], where: Omit<TaskTimeline, 'transitions'> = {}): TaskTimeline {
  const t = { ...where, transitions };
  names.set(t, name);
  return t;
}

describe('mergeTimelines', () => {
  it('orders by time, keeping each timeline in its own order', () => {
    seqs = new Map();
    const run = timeline('run', [tr('run', 'SUBMIT', T), tr('run', 'START', T1)]);
    const other = timeline('other', [tr('other', 'SUBMIT', T1), tr('other', 'START', T)]);
    // other's START is earlier than its SUBMIT on the clock, yet never comes before it.
    expect(render(mergeTimelines([other, run]))).toEqual(['run SUBMIT', 'other SUBMIT', 'other START', 'run START']);
  });

  it("puts a step task's creation after the run's STEP_RESOLVED, and its end before the run's CHILD_ENDED, in one millisecond", () => {
    seqs = new Map();
    const run = timeline('run', [
      tr('run', 'START'),
      tr('run', 'STEP_RESOLVED', T, { step: 'plan' }),
      tr('run', 'CHILD_ENDED', T, { step: 'plan', index: 0, status: 'completed' }),
      tr('run', 'OUTPUT_RESOLVED'),
    ]);
    const plan = timeline('plan', [tr('plan', 'SUBMIT'), tr('plan', 'START'), tr('plan', 'OUTPUT_VALID')], { parent: run, step: 'plan' });
    expect(render(mergeTimelines([run, plan]))).toEqual([
      'run START',
      'run STEP_RESOLVED',
      'plan SUBMIT',
      'plan START',
      'plan OUTPUT_VALID',
      'run CHILD_ENDED',
      'run OUTPUT_RESOLVED',
    ]);
  });

  it('puts an item launched when an earlier item ended after the CHILD_ENDED that launched it', () => {
    seqs = new Map([['b0', 4]]); // build#0 has been running a while
    const run = timeline('run', [tr('run', 'CHILD_ENDED', T, { step: 'build', index: 0, status: 'completed' })]);
    const b0 = timeline('build#0', [tr('b0', 'OUTPUT_VALID')], { parent: run, step: 'build', index: 0 });
    const b2 = timeline('build#2', [tr('b2', 'SUBMIT'), tr('b2', 'START')], { parent: run, step: 'build', index: 2 });
    expect(render(mergeTimelines([run, b2, b0]))).toEqual(['build#0 OUTPUT_VALID', 'run CHILD_ENDED', 'build#2 SUBMIT', 'build#2 START']);
  });
});
