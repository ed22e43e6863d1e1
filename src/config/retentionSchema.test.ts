import { describe, expect, it } from 'vitest';
import { retentionSchema } from './retentionSchema.js';

const DAY = 86_400_000;

describe('retentionSchema', () => {
  it('defaults to 7 days for completed and cancelled tasks, 30 for degraded, failed and resolved escalations, purging hourly', () => {
    expect(retentionSchema.parse({})).toEqual({
      completed: 7 * DAY,
      degraded: 30 * DAY,
      failed: 30 * DAY,
      cancelled: 7 * DAY,
      escalations: 30 * DAY,
      intervalMs: 3_600_000,
    });
  });

  it('reads "forever" as no limit, and durations as ms', () => {
    expect(retentionSchema.parse({ completed: 'forever', failed: '36h', degraded: 5000 })).toMatchObject({
      completed: Number.POSITIVE_INFINITY,
      failed: 36 * 3_600_000,
      degraded: 5000,
    });
  });

  it.each([
    [{ completed: 0 }, 'completed', 'must be more than 0; use "forever" to keep for ever'],
    [{ failed: 'never' }, 'failed', 'invalid retention period "never"'],
    [{ cancelled: -1 }, 'cancelled', 'invalid retention period -1'],
    [{ intervalMs: '0s' }, 'intervalMs', 'must be more than 0'],
  ])('refuses %j with a message at %s', (input, field, message) => {
    const result = retentionSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: [field], message: expect.stringContaining(message) })]);
  });

  it('refuses unknown keys, naming the likely one', () => {
    const result = retentionSchema.safeParse({ complete: '1d' });
    expect(result.error?.issues[0]?.message).toContain('did you mean "completed"?');
  });
});
