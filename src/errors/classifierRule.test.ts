import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { classifierRuleSchema, compileRule } from './classifierRule.js';
import type { ErrorFacts } from './classifierRule.js';

const issuesOf = (value: unknown) =>
  classifierRuleSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('classifierRuleSchema', () => {
  it('accepts a rule with any one match key', () => {
    for (const match of [
      { status: 404 },
      { status: [404, 410] },
      { errorCode: 'ENOTFOUND' },
      { agentErrorCode: 'MODEL_LOADING' },
      { message: 'context (length|window)' },
      { name: 'TimeoutError' },
    ]) {
      expect(issuesOf({ match, code: 'CUSTOM_CODE' }), JSON.stringify(match)).toEqual([]);
    }
  });

  it('rejects an empty match with a message naming the keys', () => {
    expect(issuesOf({ match: {}, code: 'X' })).toEqual(['match: needs at least one of status, errorCode, agentErrorCode, message, name']);
  });

  it('rejects an invalid regular expression, saying why', () => {
    expect(issuesOf({ match: { message: 'unclosed (group' }, code: 'X' })).toEqual([
      'match.message: is not a valid regular expression (Unterminated group)',
    ]);
  });

  it('rejects unknown keys, bad statuses, bad codes and bad categories', () => {
    expect(issuesOf({ match: { statuses: [404] }, code: 'X' })[0]).toBe('match: Unrecognized key: "statuses"');
    expect(issuesOf({ match: { status: 99 }, code: 'X' })[0]).toMatch(/^match\.status/);
    expect(issuesOf({ match: { status: 404 }, code: 'not-snake' })).toEqual(['code: must be UPPER_SNAKE_CASE, e.g. MODEL_LOADING']);
    expect(issuesOf({ match: { status: 404 }, code: 'X', category: 'fatal' })[0]).toMatch(/^category/);
    expect(issuesOf({ match: { status: 404 }, code: 'X', severity: 'urgent' })[0]).toMatch(/^severity/);
  });

  it('converts to JSON Schema for editors', () => {
    const schema = z.toJSONSchema(classifierRuleSchema) as { required?: string[]; properties?: Record<string, unknown> };
    expect(schema.required).toEqual(['match', 'code']);
    expect(Object.keys(schema.properties ?? {})).toEqual(['match', 'code', 'category', 'severity', 'retryable']);
  });
});

describe('compileRule', () => {
  const facts = (f: Partial<ErrorFacts>): ErrorFacts => ({ errorCodes: [], messages: [], names: [], ...f });
  const rule = (match: Record<string, unknown>) => compileRule(classifierRuleSchema.parse({ match, code: 'X' }));

  it('matches a status or any status of a list', () => {
    expect(rule({ status: 404 }).matches(facts({ status: 404 }))).toBe(true);
    expect(rule({ status: [404, 410] }).matches(facts({ status: 410 }))).toBe(true);
    expect(rule({ status: 404 }).matches(facts({ status: 400 }))).toBe(false);
    expect(rule({ status: 404 }).matches(facts({}))).toBe(false);
  });

  it('matches messages case-insensitively', () => {
    expect(rule({ message: 'context length' }).matches(facts({ messages: ['x', 'Maximum CONTEXT LENGTH exceeded'] }))).toBe(true);
    expect(rule({ message: '^context' }).matches(facts({ messages: ['the context'] }))).toBe(false);
  });

  it('matches error codes and names anywhere in the chain', () => {
    expect(rule({ errorCode: 'ENOTFOUND' }).matches(facts({ errorCodes: ['ABORT_ERR', 'ENOTFOUND'] }))).toBe(true);
    expect(rule({ name: 'TimeoutError' }).matches(facts({ names: ['AbortError', 'TimeoutError'] }))).toBe(true);
    expect(rule({ name: 'TimeoutError' }).matches(facts({ names: ['AbortError'] }))).toBe(false);
  });

  it('needs every given key to match', () => {
    const r = rule({ status: 404, agentErrorCode: 'MODEL_LOADING' });
    expect(r.matches(facts({ status: 404, agentErrorCode: 'MODEL_LOADING' }))).toBe(true);
    expect(r.matches(facts({ status: 404 }))).toBe(false);
    expect(r.matches(facts({ status: 500, agentErrorCode: 'MODEL_LOADING' }))).toBe(false);
  });
});
