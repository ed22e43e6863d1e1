/**
 * `GET /api/workflows/:name/graph`: a multi-step workflow's steps laid out for the dashboard,
 * with 404s that tell an unknown workflow from a single-step one.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from './helpers/apiApp.js';

const SHIP = JSON.parse(await readFile(new URL('./fixtures/workflows/ship.json', import.meta.url), 'utf8'));
const simulated = { adapter: { type: 'simulated', latencyMs: 0 } };
const TOKEN = 'graph-test-token';

let api: ApiApp;
beforeAll(async () => {
  api = await apiApp({
    config: { agents: { planner: simulated, builder: simulated, writer: simulated, deployer: simulated } },
    workflows: [SHIP, { name: 'review', agent: 'planner' }],
    app: { apiToken: TOKEN },
  });
});
afterAll(async () => {
  await api?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('GET /api/workflows/:name/graph', () => {
  it("answers a run's steps as boxes and its needs as arrows, valid against the OpenAPI document", async () => {
    const res = await api.req('GET', '/api/workflows/ship/graph', undefined, auth);
    expect(res.status, res.text).toBe(200);
    expect(res.json.workflow).toBe('ship');
    expect(res.json.nodes.map((n: { id: string }) => n.id)).toEqual(['plan', 'build', 'docs', 'deploy']);
    expect(res.json.nodes[1]).toMatchObject({
      id: 'build',
      kind: 'agent',
      target: 'builder',
      forEach: 'steps.plan.output.files',
      maxParallel: 2,
    });
    expect(res.json.edges.map((e: { from: string; to: string }) => `${e.from}>${e.to}`).sort()).toEqual([
      'build>deploy',
      'docs>deploy',
      'plan>build',
      'plan>docs',
    ]);
    expect(res.json.width).toBeGreaterThan(0);

    const doc = (await api.req('GET', '/api/openapi.json', undefined, auth)).json;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'urn:warden:openapi', components: doc.components });
    const ref = doc.paths['/api/workflows/{name}/graph'].get.responses[200].content['application/json'].schema.$ref;
    expect(ref).toBe('#/components/schemas/RunGraph');
    const validate = ajv.getSchema('urn:warden:openapi#/components/schemas/RunGraph')!;
    expect(validate(res.json), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...res.json, nodes: [{ ...res.json.nodes[0], kind: 'robot' }] })).toBe(false);
  });

  it('answers the same layout each time', async () => {
    const a = await api.req('GET', '/api/workflows/ship/graph', undefined, auth);
    const b = await api.req('GET', '/api/workflows/ship/graph', undefined, auth);
    expect(b.text).toBe(a.text);
  });

  it('answers 404 WORKFLOW_NOT_FOUND for an unknown workflow', async () => {
    const res = await api.req('GET', '/api/workflows/nope/graph', undefined, auth);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('WORKFLOW_NOT_FOUND');
  });

  it('answers 404 NOT_A_RUN for a single-step workflow, which has no steps to draw', async () => {
    const res = await api.req('GET', '/api/workflows/review/graph', undefined, auth);
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'NOT_A_RUN', message: expect.stringContaining('single-step') });
  });

  it('needs the API token like every other API route', async () => {
    expect((await api.req('GET', '/api/workflows/ship/graph')).status).toBe(401);
  });
});
