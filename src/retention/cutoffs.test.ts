import { describe, expect, it } from 'vitest';
import { retentionSchema } from '../config/index.js';
import { cutoffs } from './cutoffs.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T00:00:00Z');

describe('cutoffs', () => {
  it.each([
    ['the defaults', {}, undefined, { completed: 7, degraded: 30, failed: 30, cancelled: 7 }, 30],
    ['a status kept forever', { failed: 'forever' }, undefined, { completed: 7, degraded: 30, cancelled: 7 }, 30],
    [
      'escalations kept forever',
      { escalations: 'forever' },
      undefined,
      { completed: 7, degraded: 30, failed: 30, cancelled: 7 },
      undefined,
    ],
    ['--older-than over every period', { failed: 'forever' }, 2 * DAY, { completed: 2, degraded: 2, failed: 2, cancelled: 2 }, 2],
    ['hours', { completed: '12h' }, undefined, { completed: 0.5, degraded: 30, failed: 30, cancelled: 7 }, 30],
  ] as const)('from %s', (_name, retention, olderThanMs, days, escalationDays) => {
    const before = cutoffs(retentionSchema.parse(retention), NOW, olderThanMs);
    expect(before.tasks).toEqual(Object.fromEntries(Object.entries(days).map(([k, d]) => [k, NOW - d * DAY])));
    expect(before.escalations).toBe(escalationDays === undefined ? undefined : NOW - escalationDays * DAY);
  });

  it('sets no cut-off earlier than a date can be, which keeps everything', () => {
    expect(cutoffs(retentionSchema.parse({}), NOW, 1e17)).toEqual({ tasks: {} });
  });
});
