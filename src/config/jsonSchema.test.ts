import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, jsonSchemaFiles, workflowJsonSchema } from './jsonSchema.js';

const repo = new URL('../../', import.meta.url);
const readJson = async (relative: string) => JSON.parse(await readFile(new URL(relative, repo), 'utf8')) as unknown;

function validator(schema: Record<string, unknown>) {
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

describe('JSON Schema for editors', () => {
  it('matches the committed files in schemas/, so "$schema" works on a fresh clone', async () => {
    for (const [name, build] of Object.entries(jsonSchemaFiles)) {
      expect(await readJson(`schemas/${name}`), `schemas/${name} is stale: run npm run build`).toEqual(build());
    }
  });

  it('accepts the shipped config and every shipped workflow', async () => {
    const config = validator(configJsonSchema());
    expect(config(await readJson('agents.config.json')), JSON.stringify(config.errors)).toBe(true);
    const workflow = validator(workflowJsonSchema());
    const files = (await readdir(fileURLToPath(new URL('workflows/', repo)))).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(workflow(await readJson(`workflows/${file}`)), file).toBe(true);
  });

  it('describes the input side: defaulted fields optional, durations as numbers or strings, unknown keys refused', () => {
    const validate = validator(configJsonSchema());
    expect(configJsonSchema().required).toEqual(['agents']);
    const agent = { adapter: { type: 'simulated', latencyMs: ['20ms', 200] }, timeoutMs: '30s', retry: { initialDelayMs: 250 } };
    expect(validate({ agents: { a: agent } })).toBe(true);
    expect(validate({ agents: { a: { ...agent, timeoutMs: '30 sec' } } })).toBe(false);
    expect(validate({ agents: { a: agent }, fallbackChain: {} })).toBe(false);
  });

  it('shows the documented defaults, durations included', () => {
    const retry = (
      configJsonSchema() as {
        properties: { agents: { additionalProperties: { properties: { retry: { properties: Record<string, { default?: unknown }> } } } } };
      }
    ).properties.agents.additionalProperties.properties.retry.properties;
    expect(retry.maxAttempts?.default).toBe(3);
    expect(retry.initialDelayMs?.default).toBe(1000);
    expect(retry.errorMultipliers?.default).toEqual({ RATE_LIMITED: 2 });
  });
});
