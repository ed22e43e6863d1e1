import { describe, expect, it } from 'vitest';
import { workflowSchema } from './schema.js';

const run = { name: 'ship', steps: { a: { agent: 'a' } } };

describe('the expressions section of a multi-step workflow', () => {
  it('is absent unless given, and fills in the other limit when one is', () => {
    expect(workflowSchema.parse(run).expressions).toBeUndefined();
    expect(workflowSchema.parse({ ...run, expressions: { timeoutMs: '2s' } }).expressions).toEqual({ timeoutMs: 2000, maxDepth: 1000 });
  });

  it('refuses a depth below 1, unknown keys, and the section on a single-step workflow', () => {
    expect(workflowSchema.safeParse({ ...run, expressions: { maxDepth: 0 } }).success).toBe(false);
    expect(workflowSchema.safeParse({ ...run, expressions: { timeout: 5 } }).success).toBe(false);
    expect(workflowSchema.safeParse({ name: 'w', agent: 'a', expressions: {} }).success).toBe(false);
  });
});
