import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock/index.js';
import { attemptSignal } from './timeout.js';

describe('attemptSignal', () => {
  it('aborts with a TimeoutError once timeoutMs of clock time has passed', () => {
    const clock = new SimulatedClock();
    const { signal } = attemptSignal(clock, 1000);
    clock.advance(999);
    expect(signal.aborted).toBe(false);
    clock.advance(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect(signal.reason).toMatchObject({ name: 'TimeoutError', message: 'attempt timed out after 1000ms' });
  });

  it('never aborts after clear()', () => {
    const clock = new SimulatedClock();
    const parent = new AbortController();
    const attempt = attemptSignal(clock, 1000, parent.signal);
    attempt.clear();
    attempt.clear();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    parent.abort();
    expect(attempt.signal.aborted).toBe(false);
  });

  it('follows the parent abort with the parent reason and cancels its timer', () => {
    const clock = new SimulatedClock();
    const parent = new AbortController();
    const { signal } = attemptSignal(clock, 1000, parent.signal);
    const reason = new Error('task cancelled');
    parent.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('starts aborted when the parent already is', () => {
    const clock = new SimulatedClock();
    const reason = new Error('deadline passed');
    const { signal } = attemptSignal(clock, 1000, AbortSignal.abort(reason));
    expect(signal.reason).toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('keeps the timeout reason when the parent aborts afterwards', () => {
    const clock = new SimulatedClock();
    const parent = new AbortController();
    const { signal } = attemptSignal(clock, 1000, parent.signal);
    clock.advance(1000);
    parent.abort(new Error('later'));
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('leaves no listener on a long-lived parent after many attempts', () => {
    const clock = new SimulatedClock();
    const parent = new AbortController();
    let added = 0;
    let removed = 0;
    const add = parent.signal.addEventListener.bind(parent.signal);
    const remove = parent.signal.removeEventListener.bind(parent.signal);
    parent.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    parent.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 50; i++) {
      const attempt = attemptSignal(clock, 1000, parent.signal);
      if (i % 2) clock.advance(1000);
      attempt.clear();
    }
    expect(added).toBe(50);
    expect(removed).toBeGreaterThanOrEqual(50);
    expect(clock.pending).toBe(0);
  });

  it('sets no timer for an infinite timeout', () => {
    const clock = new SimulatedClock();
    const { signal } = attemptSignal(clock, Infinity);
    expect(clock.pending).toBe(0);
    clock.advance(1e12);
    expect(signal.aborted).toBe(false);
  });
});
