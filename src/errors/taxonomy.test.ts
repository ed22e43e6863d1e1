import { describe, it, expect } from 'vitest';
import { customCodeDefaults, errorCodes, isErrorCode, maxSeverity, severityRank } from './taxonomy.js';

describe('severityRank', () => {
  it('orders low < medium < high < critical', () => {
    expect(['low', 'medium', 'high', 'critical'].map((s) => severityRank(s as never))).toEqual([0, 1, 2, 3]);
  });
});

describe('maxSeverity', () => {
  it.each([
    [['low', 'high', 'medium'], 'high'],
    [['medium', 'critical', 'low'], 'critical'],
    [[undefined, 'medium', undefined], 'medium'],
    [[], 'low'],
    [[undefined], 'low'],
  ] as const)('of %j is %s', (input, expected) => {
    expect(maxSeverity(...input)).toBe(expected);
  });
});

describe('errorCodes', () => {
  it.each([
    ['AGENT_TIMEOUT', 'transient', 'medium', true],
    ['AGENT_UNAVAILABLE', 'transient', 'medium', true],
    ['AGENT_HTTP_5XX', 'transient', 'medium', true],
    ['RATE_LIMITED', 'transient', 'low', true],
    ['REQUEST_TIMEOUT', 'transient', 'medium', true],
    ['CONNECTION_FAILED', 'transient', 'medium', true],
    ['AUTH_FAILED', 'external', 'high', false],
    ['INVALID_REQUEST', 'logic', 'medium', false],
    ['AGENT_RESPONSE_MALFORMED', 'logic', 'medium', false],
    ['OUTPUT_INVALID', 'logic', 'medium', false],
    ['AGENT_ERROR', 'logic', 'medium', false],
    ['COMMAND_FAILED', 'external', 'medium', false],
    ['RESOURCE_EXHAUSTED', 'resource', 'high', true],
    ['CIRCUIT_OPEN', 'resource', 'low', false],
    ['BULKHEAD_FULL', 'resource', 'low', false],
    ['AGENT_UNHEALTHY', 'resource', 'low', false],
    ['DEADLINE_EXCEEDED', 'system', 'high', false],
    ['FALLBACK_EXHAUSTED', 'system', 'high', false],
    ['DEGRADE_FAILED', 'system', 'high', false],
    ['CANCELLED', 'system', 'low', false],
    ['INPUT_INVALID', 'logic', 'low', false],
    ['EXPRESSION_FAILED', 'logic', 'medium', false],
    ['STORE_ERROR', 'system', 'critical', true],
    ['STORE_IN_USE', 'system', 'critical', false],
    ['STEP_CONFLICT', 'system', 'low', false],
    ['INTERNAL', 'system', 'high', false],
  ] as const)('classifies %s as %s, %s, retryable %s', (code, category, severity, retryable) => {
    expect(errorCodes[code]).toMatchObject({ category, severity, retryable });
  });

  it('has the other codes the engine and API use', () => {
    for (const code of ['CONFIG_INVALID', 'WORKFLOW_NOT_FOUND', 'TASK_NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'ENGINE_STOPPING']) {
      expect(isErrorCode(code), code).toBe(true);
    }
  });

  it('gives every code a description and UPPER_SNAKE_CASE name', () => {
    for (const [code, info] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(info.description.length, code).toBeGreaterThan(10);
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(errorCodes)).toBe(true);
    expect(Object.isFrozen(errorCodes.AGENT_TIMEOUT)).toBe(true);
    expect(Object.isFrozen(customCodeDefaults)).toBe(true);
  });

  it('does not count inherited names such as toString as codes', () => {
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('MODEL_LOADING')).toBe(false);
  });
});
