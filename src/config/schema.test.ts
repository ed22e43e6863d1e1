import { describe, expect, it } from 'vitest';
import { problemsFromIssues } from './ConfigError.js';
import type { ConfigInput, WorkflowInput } from './schema.js';
import { agentSchema, configSchema, healthCheckSchema, mergeRetry, retrySchema, workflowSchema } from './schema.js';

const minimal = { agents: { a: { adapter: { type: 'simulated' } } } } satisfies ConfigInput;

function problems(schema: typeof configSchema | typeof workflowSchema, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : problemsFromIssues('f.json', result.error.issues).map((p) => `${p.path || '(root)'}: ${p.message}`);
}

describe('configSchema', () => {
  it('fills in every documented default from a minimal config', () => {
    expect(configSchema.parse(minimal)).toEqual({
      agents: {
        a: {
          adapter: { type: 'simulated', latencyMs: [20, 200], failureRate: 0, failStatus: 503, permanentFailureRate: 0 },
          capabilities: [],
          timeoutMs: 30_000,
          maxConcurrency: 4,
          maxQueue: 1000,
          retry: {
            maxAttempts: 3,
            initialDelayMs: 1000,
            maxDelayMs: 30_000,
            multiplier: 2,
            jitter: 'full',
            errorMultipliers: { RATE_LIMITED: 2 },
          },
          circuitBreaker: {
            failureThreshold: 5,
            failureRate: 0.5,
            windowMs: 60_000,
            openMs: 30_000,
            maxOpenMs: 300_000,
            openMultiplier: 2,
            halfOpenSuccesses: 2,
            halfOpenMaxProbes: 1,
          },
          escalateSeverity: 'high',
        },
      },
      fallbackChains: {},
      workflowsDir: './workflows',
      escalation: {
        channels: { console: { type: 'log' } },
        severities: {
          low: { channels: [], untilAcked: false, fallbackChannels: [] },
          medium: { channels: [], untilAcked: false, fallbackChannels: [] },
          high: { channels: [], untilAcked: false, fallbackChannels: [] },
          critical: { channels: [], untilAcked: false, fallbackChannels: [] },
        },
        dedupWindowMs: 300_000,
        routes: [],
        delivery: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 60_000 },
        maxFieldChars: 2000,
      },
      supervisor: {
        enabled: true,
        intervalMs: 5000,
        timeoutMs: 2000,
        failureThreshold: 3,
        successThreshold: 1,
        checks: ['event-loop', 'heap', 'store', 'channels', 'queue'],
        eventLoopDelayMs: 1000,
        heapUsedRatio: 0.9,
        maxQueueAgeMs: 60_000,
        channelsIntervalMs: 300_000,
        escalateSeverity: 'high',
        historySize: 200,
        recovery: { 'event-loop': [], heap: [], store: [], channels: [], queue: [] },
      },
      store: 'sqlite:./warden.db',
      errors: { rules: [] },
      retention: {
        completed: 7 * 86_400_000,
        degraded: 30 * 86_400_000,
        failed: 30 * 86_400_000,
        cancelled: 7 * 86_400_000,
        escalations: 30 * 86_400_000,
        intervalMs: 3_600_000,
      },
    });
  });

  it('gives partial retry and breaker objects the remaining defaults, converting duration strings', () => {
    const agent = agentSchema.parse({
      adapter: { type: 'simulated' },
      timeoutMs: '5s',
      retry: { maxAttempts: 5, maxDelayMs: '2s' },
      circuitBreaker: { openMs: '10s' },
    });
    expect(agent.timeoutMs).toBe(5000);
    expect(agent.retry).toEqual({
      maxAttempts: 5,
      initialDelayMs: 1000,
      maxDelayMs: 2000,
      multiplier: 2,
      jitter: 'full',
      errorMultipliers: { RATE_LIMITED: 2 },
    });
    expect(agent.circuitBreaker.openMs).toBe(10_000);
    expect(agent.circuitBreaker.failureThreshold).toBe(5);
  });

  it('does not share default objects between parses', () => {
    const first = retrySchema.parse({});
    first.errorMultipliers.RATE_LIMITED = 99;
    expect(retrySchema.parse({}).errorMultipliers).toEqual({ RATE_LIMITED: 2 });
  });

  it('normalizes a fixed simulated latency to a [min, max] pair and rejects min > max', () => {
    const parse = (latencyMs: unknown) => agentSchema.safeParse({ adapter: { type: 'simulated', latencyMs } });
    expect(parse('50ms').data?.adapter).toMatchObject({ latencyMs: [50, 50] });
    expect(parse([10, '1s']).data?.adapter).toMatchObject({ latencyMs: [10, 1000] });
    expect(parse([300, 100]).error?.issues[0]?.message).toBe('the minimum latency must not exceed the maximum');
  });

  it('fills in health-check timing defaults for each kind of check', () => {
    expect(healthCheckSchema.parse({ type: 'http', url: 'http://127.0.0.1:9/health' })).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:9/health',
      intervalMs: 10_000,
      timeoutMs: 1000,
      failureThreshold: 3,
      successThreshold: 1,
      startupGraceMs: 0,
    });
    expect(healthCheckSchema.parse({ type: 'command', command: 'true' })).toMatchObject({ args: [], intervalMs: 10_000 });
    expect(healthCheckSchema.parse({ type: 'passive' })).toMatchObject({
      minSuccessRate: 0.5,
      windowMs: 60_000,
      minSamples: 5,
      timeoutMs: 1000,
    });
  });

  it('rejects unknown supervisor keys, suggesting the likely intended one', () => {
    expect(problems(configSchema, { ...minimal, supervisor: { intervalMs: 1000, maxRestart: 3 } })).toEqual([
      expect.stringMatching(/^supervisor\.maxRestart: unknown key "maxRestart" \(unknown keys are rejected/),
    ]);
    expect(problems(configSchema, { ...minimal, supervisor: { intervalMS: 1000 } })).toEqual([
      expect.stringMatching(/^supervisor\.intervalMS: unknown key "intervalMS" \(did you mean "intervalMs"\?/),
    ]);
  });

  it('fills in the managed-process defaults: Kubernetes backoff under an OTP restart intensity', () => {
    const agent = agentSchema.parse({
      adapter: { type: 'simulated' },
      process: { command: 'node' },
      recovery: [{ strategy: 'webhook', url: 'http://127.0.0.1:9/x' }],
    });
    expect(agent.process).toEqual({
      command: 'node',
      args: [],
      inheritEnv: [],
      restartBackoff: { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 },
      maxRestarts: 5,
      withinMs: 600_000,
      stopTimeoutMs: 5000,
    });
    expect(agent.recovery).toEqual([{ strategy: 'webhook', url: 'http://127.0.0.1:9/x', timeoutMs: 10_000 }]);
  });

  it('rejects an unknown top-level key, suggesting the likely intended one', () => {
    expect(problems(configSchema, { ...minimal, fallbackChain: {} })).toEqual([
      'fallbackChain: unknown key "fallbackChain" (did you mean "fallbackChains"? unknown keys are rejected so that typos are caught; ' +
        'known keys: $schema, agents, fallbackChains, workflowsDir, escalation, supervisor, store, errors, retention)',
    ]);
  });

  it('rejects unknown keys inside agents, one problem per key at its own path', () => {
    const result = problems(configSchema, { agents: { a: { adapter: { type: 'simulated', failRate: 0.1 }, timeout: 5 } } });
    expect(result).toHaveLength(2);
    expect(result[0]).toMatch(/^agents\.a\.adapter\.failRate: unknown key "failRate" \(did you mean "failureRate"\?/);
    expect(result[1]).toMatch(/^agents\.a\.timeout: unknown key "timeout" \(did you mean "timeoutMs"\?/);
  });

  it('names the allowed adapter types when the type is wrong or missing', () => {
    const expected = 'must be one of "http", "openai", "command", "module", "simulated"';
    expect(problems(configSchema, { agents: { a: { adapter: { type: 'grpc' } } } })).toEqual([`agents.a.adapter.type: ${expected}`]);
    expect(problems(configSchema, { agents: { a: { adapter: {} } } })).toEqual([`agents.a.adapter.type: ${expected}`]);
  });

  it('reports a missing required field as required, and an empty agents object', () => {
    expect(problems(configSchema, { agents: { a: {} } })).toEqual(['agents.a.adapter: is required (expected object)']);
    expect(problems(configSchema, { agents: {} })).toEqual(['agents: needs at least one agent']);
    expect(problems(configSchema, {})).toEqual(['agents: is required (expected record)']);
  });

  it('rejects agent ids outside the id pattern', () => {
    expect(problems(configSchema, { agents: { 'bad id': { adapter: { type: 'simulated' } } } })).toEqual([
      'agents.bad id: invalid id "bad id": use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  it('rejects a store URL with an unknown scheme', () => {
    expect(problems(configSchema, { ...minimal, store: 'mysql://x' })).toEqual([
      'store: must start with "sqlite:", "memory:" or "postgres://"',
    ]);
    expect(configSchema.parse({ ...minimal, store: 'postgres://u:p@h/db' }).store).toBe('postgres://u:p@h/db');
  });

  it('accepts classifier rules in errors.rules and rejects malformed ones', () => {
    const rule = { match: { status: 404, agentErrorCode: 'MODEL_LOADING' }, code: 'MODEL_LOADING', retryable: true };
    expect(configSchema.parse({ ...minimal, errors: { rules: [rule] } }).errors.rules).toEqual([rule]);
    expect(problems(configSchema, { ...minimal, errors: { rules: [{ match: {}, code: 'X' }] } })).not.toEqual([]);
  });

  it('requires at least one email recipient and fills in SMTP defaults', () => {
    const email = { type: 'email', from: 'w@example.com', to: ['o@example.com'], smtp: { host: '127.0.0.1' } };
    const parsed = configSchema.parse({ ...minimal, escalation: { channels: { mail: email } } });
    expect(parsed.escalation.channels.mail).toEqual({ ...email, smtp: { host: '127.0.0.1', port: 587, secure: false } });
    expect(problems(configSchema, { ...minimal, escalation: { channels: { mail: { ...email, to: [] } } } })).toEqual([
      'escalation.channels.mail.to: Too small: expected array to have >=1 items',
    ]);
  });
});

describe('workflowSchema', () => {
  const base = { name: 'w', agent: 'a' } satisfies WorkflowInput;

  it('fills in deadline and severity and applies no retry defaults of its own', () => {
    expect(workflowSchema.parse({ ...base, retry: { maxAttempts: 2 } })).toEqual({
      name: 'w',
      agent: 'a',
      deadlineMs: 600_000,
      severity: 'medium',
      retry: { maxAttempts: 2 },
    });
  });

  it('requires exactly one of agent and capability', () => {
    expect(problems(workflowSchema, { name: 'w' })).toEqual(['(root): needs either "agent" (the primary agent) or "capability"']);
    expect(problems(workflowSchema, { name: 'w', agent: 'a', capability: 'c' })).toEqual([
      'capability: give either "agent" or "capability", not both',
    ]);
  });

  it('rejects an inputSchema that Ajv cannot compile', () => {
    const result = problems(workflowSchema, { ...base, inputSchema: { type: 'object', properties: { x: { type: 'strin' } } } });
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^inputSchema: is not a valid JSON Schema: schema is invalid/);
  });

  it('accepts a static degraded response, or a module with the default export', () => {
    expect(workflowSchema.parse({ ...base, degraded: { response: null } }).degraded).toEqual({ response: null });
    expect(workflowSchema.parse({ ...base, degraded: { module: './d.js' } }).degraded).toEqual({ module: './d.js', export: 'default' });
    expect(workflowSchema.parse({ ...base, degraded: { module: './d.js', export: 'degrade' } }).degraded).toEqual({
      module: './d.js',
      export: 'degrade',
    });
  });

  it('rejects a degraded section with both or neither of response and module', () => {
    const message = 'degraded: needs exactly one of "response" (a static answer) or "module" (a function that builds it)';
    expect(problems(workflowSchema, { ...base, degraded: {} })).toEqual([message]);
    expect(problems(workflowSchema, { ...base, degraded: { response: 1, module: './d.js' } })).toEqual([message]);
    expect(problems(workflowSchema, { ...base, degraded: { response: 1, export: 'x' } })).toEqual([
      'degraded.export: is only allowed with "module"',
    ]);
  });

  it('rejects unknown workflow keys', () => {
    expect(problems(workflowSchema, { ...base, deadline: '5m' })[0]).toMatch(
      /^deadline: unknown key "deadline" \(did you mean "deadlineMs"\?/,
    );
  });
});

describe('mergeRetry', () => {
  it("merges a workflow's override over the agent's retry options, leaving the agent's untouched", () => {
    const agentRetry = retrySchema.parse({ maxAttempts: 4, initialDelayMs: 100 });
    expect(mergeRetry(agentRetry, { maxAttempts: 2 })).toEqual({ ...agentRetry, maxAttempts: 2 });
    expect(agentRetry.maxAttempts).toBe(4);
    expect(mergeRetry(agentRetry, undefined)).toBe(agentRetry);
  });
});
