import { describe, expect, it } from 'vitest';
import type { Transition } from '../../lifecycle/types.js';
import { sampleTimeline } from './sampleFacts.js';
import { clockTime, elide, formatTransition } from './timeline.js';

describe('formatTransition', () => {
  it('writes time, states, event, agent#attempt and error code on one line', () => {
    const t = sampleTimeline()[3]!;
    expect(formatTransition(t)).toBe('09:27:23.131 attempting → waiting ATTEMPT_FAILED senior-backend-developer#1 AGENT_TIMEOUT');
  });

  it('marks the first transition as coming from nowhere and leaves out absent facts', () => {
    expect(formatTransition(sampleTimeline()[0]!)).toBe('09:26:53.120 ∅ → queued SUBMIT');
  });

  it("names the step a run's transition is about, its item or item count, and how it ended", () => {
    const run = (detail: Transition['detail']): Transition => ({
      seq: 1,
      at: '2025-03-14T09:00:00.000Z',
      from: 'running',
      to: 'running',
      event: 'E',
      detail,
    });
    expect(formatTransition(run({ step: 'build', index: 4, status: 'degraded' }))).toBe(
      '09:00:00.000 running → running E build[4] degraded',
    );
    expect(formatTransition(run({ step: 'build', items: 6 }))).toBe('09:00:00.000 running → running E build (6 items)');
    expect(formatTransition(run({ step: 'deploy', status: 'skipped' }))).toBe('09:00:00.000 running → running E deploy skipped');
    expect(formatTransition(run({ delayMs: 1000 }))).toBe('09:00:00.000 running → running E');
  });

  it('keeps a timestamp it cannot parse as written', () => {
    expect(clockTime('soon')).toBe('soon');
  });
});

describe('elide', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);

  it('keeps everything that fits', () => {
    expect(elide(items, () => 1, 100)).toEqual({ head: items, omitted: 0, tail: [] });
  });

  it('keeps the first and last items and counts the ones left out', () => {
    const { head, omitted, tail } = elide(
      items,
      () => 1,
      10,
      () => 1,
    );
    expect(head[0]).toBe(0);
    expect(tail.at(-1)).toBe(99);
    expect(head.length + tail.length + 1).toBeLessThanOrEqual(10);
    expect(head.length + omitted + tail.length).toBe(100);
    // the tail gets the larger share: how it ended matters most
    expect(tail.length).toBeGreaterThan(head.length);
  });

  it('stays within the budget with uneven costs', () => {
    const lines: Transition[] = Array.from({ length: 500 }, (_, i) => ({ seq: i, at: '', from: 'a', to: 'b', event: 'X'.repeat(i % 50) }));
    const cost = (t: Transition) => t.event.length + 10;
    const { head, tail } = elide(lines, cost, 2000, () => 20);
    const used = [...head, ...tail].reduce((s, t) => s + cost(t), 0) + 20;
    expect(used).toBeLessThanOrEqual(2000);
  });
});
