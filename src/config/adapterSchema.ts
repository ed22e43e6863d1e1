/**
 * How Warden reaches an agent: the agent protocol over HTTP, an OpenAI-compatible server,
 * a local program, an ES module, or an in-process simulation.
 */
import { z } from 'zod';
import { duration } from './duration.js';
import { envName, strictObject, taggedUnion } from './strict.js';

/** An agent reached over the Warden agent protocol: `POST url`, JSON in, JSON out. */
export const httpAdapterSchema = strictObject({
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }).describe('The URL the request is POSTed to.'),
  headers: z.record(z.string().min(1), z.string()).optional().describe('Extra request headers. Never put secrets here; use headersEnv.'),
  headersEnv: z
    .record(z.string().min(1), envName)
    .optional()
    .describe('Header name → the environment variable holding its (secret) value.'),
}).describe('The Warden agent protocol over HTTP.');

/** An OpenAI-compatible chat-completions server (OpenAI, Ollama, vLLM, LM Studio, …). */
export const openaiAdapterSchema = strictObject({
  type: z.literal('openai'),
  baseUrl: z.url({ protocol: /^https?$/ }).describe('The API base URL, e.g. http://127.0.0.1:11434/v1.'),
  model: z.string().min(1).describe('The model name.'),
  apiKeyEnv: envName.optional().describe('The environment variable holding the API key, sent as a bearer token.'),
  systemPrompt: z.string().optional().describe('The system message sent before the task.'),
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature.'),
  maxTokens: z.number().int().min(1).optional().describe('The most tokens the answer may have.'),
}).describe('An OpenAI-compatible chat-completions server.');

/** A local program, run without a shell: the request as JSON on stdin, the answer as JSON on stdout. */
export const commandAdapterSchema = strictObject({
  type: z.literal('command'),
  command: z.string().min(1).describe('The program to run (no shell).'),
  args: z
    .array(z.string())
    .default(() => [])
    .describe('Its arguments.'),
  env: z.record(z.string().min(1), z.string()).optional().describe('Extra environment variables. Never put secrets here.'),
  cwd: z.string().min(1).optional().describe("Working directory, relative to the config file's folder. Defaults to that folder."),
}).describe('A local program: JSON on stdin, JSON on stdout.');

/** A function exported by an ES module; `path` is relative to the config file's folder. */
export const moduleAdapterSchema = strictObject({
  type: z.literal('module'),
  path: z.string().min(1).describe("The module file, relative to the config file's folder."),
  export: z.string().min(1).default('default').describe('The exported function to call.'),
}).describe('A function exported by an ES module.');

/**
 * An in-process stand-in agent for demos, drills and benchmarks.
 *
 * - `latencyMs`: a fixed latency or a uniform `[min, max]` range; parsed to `[min, max]`. Defaults to `[20, 200]`.
 * - `failureRate`: probability (0–1) that a call fails like an HTTP `failStatus` response. Defaults to 0.
 * - `failStatus`: the HTTP-like status simulated failures look like. Defaults to 503.
 * - `permanentFailureRate`: probability (0–1) of a permanent (non-retryable) failure. Defaults to 0.
 * - `output`: the output to return; when absent the adapter makes one up.
 */
export const simulatedAdapterSchema = strictObject({
  type: z.literal('simulated'),
  latencyMs: z
    .union([duration.transform((ms): [number, number] => [ms, ms]), z.tuple([duration, duration])])
    // Written as !(min > max) because zod runs this refinement even when an element failed to parse.
    .refine(([min, max]) => !(min > max), { error: 'the minimum latency must not exceed the maximum' })
    .default([20, 200])
    .describe('A fixed latency or a uniform [min, max] range.'),
  failureRate: z.number().min(0).max(1).default(0).describe('Probability (0–1) that a call fails with failStatus.'),
  failStatus: z.number().int().min(100).max(599).default(503).describe('The HTTP-like status simulated failures look like.'),
  permanentFailureRate: z.number().min(0).max(1).default(0).describe('Probability (0–1) of a permanent failure.'),
  output: z.unknown().optional().describe('The output to return; made up when absent.'),
}).describe('An in-process simulated agent.');

/** Every adapter, discriminated by `type`: `http`, `openai`, `command`, `module` or `simulated`. */
export const adapterSchema = taggedUnion('type', [
  httpAdapterSchema,
  openaiAdapterSchema,
  commandAdapterSchema,
  moduleAdapterSchema,
  simulatedAdapterSchema,
]).describe('How Warden reaches the agent.');

/** A parsed adapter config. */
export type AdapterConfig = z.output<typeof adapterSchema>;
/** An adapter config as written in a file. */
export type AdapterConfigInput = z.input<typeof adapterSchema>;
/** A parsed `http` adapter config. */
export type HttpAdapterConfig = z.output<typeof httpAdapterSchema>;
/** A parsed `openai` adapter config. */
export type OpenAIAdapterConfig = z.output<typeof openaiAdapterSchema>;
/** A parsed `command` adapter config. */
export type CommandAdapterConfig = z.output<typeof commandAdapterSchema>;
/** A parsed `module` adapter config. */
export type ModuleAdapterConfig = z.output<typeof moduleAdapterSchema>;
/** A parsed `simulated` adapter config; `latencyMs` is always a `[min, max]` pair. */
export type SimulatedAdapterConfig = z.output<typeof simulatedAdapterSchema>;
