/**
 * `GET /api/openapi.json`: an OpenAPI 3.1 document generated from the zod schemas. It names every
 * route of CONTRACT.md section 4, and real answers validate against its schemas (ajv, 2020-12).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from './helpers/apiApp.js';

let api: ApiApp;
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });

/** Validates `value` against the document's `components.schemas[name]`, with a readable failure. */
function conforms(name: string, value: unknown): void {
  const validate = ajv.getSchema(`urn:warden:openapi#/components/schemas/${name}`);
  expect(validate, `no component ${name}`).toBeTypeOf('function');
  const ok = validate!(value);
  expect(ok, `${name}: ${ajv.errorsText(validate!.errors)}\n${JSON.stringify(value, null, 2)}`).toBe(true);
}

/** The schema a route's answer names, resolved through its $ref. */
function answerSchema(method: string, path: string, status: number): string | undefined {
  const ref: string | undefined = doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema?.$ref;
  return ref?.replace('#/components/schemas/', '');
}

beforeAll(async () => {
  api = await apiApp({
    config: {
      agents: {
        good: { adapter: { type: 'simulated', latencyMs: 0, output: { review: 'LGTM' } }, capabilities: ['code-review'] },
        bad: { adapter: { type: 'simulated', latencyMs: 0, permanentFailureRate: 1 }, retry: { maxAttempts: 1 } },
        broken: { adapter: { type: 'simulated', latencyMs: 0, permanentFailureRate: 1 }, retry: { maxAttempts: 1 } },
      },
      fallbackChains: { bad: ['good'] },
      escalation: {
        channels: { console: { type: 'log' } },
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
      },
    },
    workflows: [
      {
        name: 'review',
        agent: 'good',
        inputSchema: { type: 'object', required: ['content'], properties: { content: { type: 'string' } } },
      },
      { name: 'fallback', agent: 'bad' },
      { name: 'doomed', agent: 'broken', degraded: { response: { status: 'degraded' } } },
    ],
  });
  const res = await api.req('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.json;
  ajv.addSchema({ $id: 'urn:warden:openapi', components: doc.components });
});

afterAll(async () => {
  await api?.close();
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with info, bearer security and JSON Schema components', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const name of ['Task', 'Transition', 'Agent', 'Escalation', 'Error', 'Health']) {
      expect(doc.components.schemas[name], name).toMatchObject({ type: 'object' });
      // A component is a bare schema: single-file markers would be wrong (a fragment $id is invalid in 2020-12).
      expect(doc.components.schemas[name]).not.toHaveProperty('$id');
      expect(doc.components.schemas[name]).not.toHaveProperty('$schema');
    }
    expect(doc.components.schemas.Task.properties.status.enum).toEqual([
      'queued',
      'running',
      'waiting',
      'completed',
      'degraded',
      'failed',
      'cancelled',
    ]);
  });

  it('has a path for every route of CONTRACT.md section 4, with its answer schema', () => {
    const contract: [string, string, number, string | undefined][] = [
      ['post', '/api/tasks', 202, 'SubmitResult'],
      ['get', '/api/tasks', 200, 'TaskList'],
      ['get', '/api/tasks/{id}', 200, 'Task'],
      ['get', '/api/tasks/{id}/transitions', 200, 'TransitionList'],
      ['post', '/api/tasks/{id}/cancel', 200, 'Task'],
      ['get', '/api/agents', 200, 'AgentList'],
      ['post', '/api/agents/{id}/circuit/reset', 200, 'Agent'],
      ['get', '/api/escalations', 200, 'EscalationList'],
      ['post', '/api/escalations/{id}/ack', 200, 'Escalation'],
      ['get', '/api/health', 200, 'Health'],
      ['get', '/api/health', 503, 'Health'],
      ['get', '/livez', 200, 'Liveness'],
      ['get', '/readyz', 200, 'Readiness'],
      ['get', '/readyz', 503, 'Readiness'],
      ['post', '/api/channels/{name}/test', 200, 'ChannelTestResult'],
      ['post', '/api/channels/{name}/test', 404, 'Error'],
      ['post', '/api/channels/{name}/test', 502, 'Error'],
      ['get', '/api/events', 200, undefined],
      ['get', '/metrics', 200, undefined],
      ['get', '/', 200, undefined],
    ];
    for (const [method, path, status, schema] of contract) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      expect(answerSchema(method, path, status), `${method} ${path}`).toBe(schema);
    }
    expect(doc.paths['/api/events'].get.responses[200].content).toHaveProperty('text/event-stream');
    expect(Object.keys(doc.paths['/metrics'].get.responses[200].content)[0]).toMatch(/^text\/plain/);
    expect(answerSchema('post', '/api/tasks', 400)).toBe('Error');
    expect(answerSchema('post', '/api/tasks', 413)).toBe('Error');
  });

  it('names every route the app serves', () => {
    for (const r of api.app.routes) {
      if (r.method === 'ALL' || r.path.includes('*')) continue;
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
  });

  it('describes request bodies and query parameters from the zod schemas', () => {
    const submit = doc.paths['/api/tasks'].post.requestBody.content['application/json'].schema;
    expect(submit.required).toEqual(['workflow']);
    expect(Object.keys(submit.properties).sort()).toEqual(['deadlineMs', 'idempotencyKey', 'input', 'workflow']);
    expect(submit.additionalProperties).toBe(false);
    const params = doc.paths['/api/tasks'].get.parameters.map((p: any) => `${p.in}:${p.name}`);
    expect(params).toEqual(['query:status', 'query:workflow', 'query:parent', 'query:topLevel', 'query:limit']);
    expect(doc.paths['/api/tasks/{id}'].get.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(doc.paths['/api/tasks/{id}/cancel'].post['x-warden-admin']).toBe(true);
  });
});

describe('real answers validate against the generated schemas', () => {
  it('a completed task, a degraded one and one answered by a fallback', async () => {
    const ids: string[] = [];
    for (const [workflow, input] of [
      ['review', { content: 'x' }],
      ['fallback', { n: 1 }],
      ['doomed', null],
    ] as const) {
      const res = await api.req('POST', '/api/tasks', { workflow, input });
      expect(res.status, res.text).toBe(202);
      conforms('SubmitResult', res.json);
      ids.push(res.json.id);
    }
    const statuses: string[] = [];
    for (const id of ids) {
      await api.engine.result(id);
      const task = await api.req('GET', `/api/tasks/${id}`);
      expect(task.status).toBe(200);
      conforms('Task', task.json);
      statuses.push(task.json.status);
      const transitions = await api.req('GET', `/api/tasks/${id}/transitions`);
      conforms('TransitionList', transitions.json);
    }
    expect(statuses).toEqual(['completed', 'completed', 'degraded']);
    // The schema has teeth: a wrong status, a missing field or an unknown one fails it.
    const task = (await api.req('GET', `/api/tasks/${ids[0]}`)).json;
    const validate = ajv.getSchema('urn:warden:openapi#/components/schemas/Task')!;
    const { attempts: _a, ...noAttempts } = task;
    for (const wrong of [{ ...task, status: 'bogus' }, noAttempts, { ...task, surprise: 1 }]) expect(validate(wrong)).toBe(false);
    conforms('TaskList', (await api.req('GET', '/api/tasks?limit=10')).json);
  });

  it('agents, escalations, health and errors', async () => {
    conforms('AgentList', (await api.req('GET', '/api/agents')).json);
    conforms('Agent', (await api.req('POST', '/api/agents/bad/circuit/reset')).json);
    const escalations = (await api.req('GET', '/api/escalations')).json;
    conforms('EscalationList', escalations);
    expect(escalations.escalations.length).toBeGreaterThan(0);
    const one = await api.req('GET', `/api/escalations/${escalations.escalations[0].id}`);
    conforms('EscalationDetail', one.json);
    conforms('Escalation', (await api.req('POST', `/api/escalations/${escalations.escalations[0].id}/ack`, { by: 'tester' })).json);
    conforms('Health', (await api.req('GET', '/api/health')).json);
    conforms('WorkflowList', (await api.req('GET', '/api/workflows')).json);
    const supervised = (await api.req('GET', '/api/supervisor')).json;
    conforms('SupervisedComponentList', supervised);
    expect(supervised.components.length).toBeGreaterThan(0);
    conforms('SupervisedComponent', (await api.req('GET', `/api/supervisor/${encodeURIComponent(supervised.components[0].name)}`)).json);
    for (const [method, path, body] of [
      ['GET', '/api/tasks/nope', undefined],
      ['POST', '/api/tasks', '{"workflow":'],
      ['POST', '/api/tasks', { workflow: 'review', input: { content: 1 } }],
      ['GET', '/api/nowhere', undefined],
    ] as const) {
      const res = await api.req(method, path, body);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      conforms('Error', res.json);
    }
  });

  it('the probes, a channel test, and a health report with every kind of component', async () => {
    expect(doc.paths['/livez'].get.security).toEqual([]);
    expect(doc.paths['/readyz'].get.security).toEqual([]);
    conforms('Liveness', (await api.req('GET', '/livez')).json);
    conforms('Readiness', (await api.req('GET', '/readyz')).json);
    const test = await api.req('POST', '/api/channels/console/test', { by: 'tester' });
    expect(test.status, test.text).toBe(200);
    conforms('ChannelTestResult', test.json);
    conforms('Error', (await api.req('POST', '/api/channels/nope/test')).json);
    const health = (await api.req('GET', '/api/health')).json;
    conforms('Health', health);
    expect(new Set(health.components.map((c: { kind: string }) => c.kind))).toEqual(
      new Set(['engine', 'store', 'agent', 'channel', 'supervisor', 'system']),
    );
    // the schema has teeth: a component of an unknown kind, or an agent without its circuit, fails it
    const validate = ajv.getSchema('urn:warden:openapi#/components/schemas/Health')!;
    const agent = health.components.find((c: { kind: string }) => c.kind === 'agent');
    const { circuit: _c, ...noCircuit } = agent;
    expect(validate({ ...health, components: [{ name: 'x', kind: 'mystery', status: 'healthy' }] })).toBe(false);
    expect(validate({ ...health, components: [noCircuit] })).toBe(false);
  });
});
