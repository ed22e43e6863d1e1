/**
 * Adapter config shapes, as the agents module consumes them.
 *
 * These mirror the zod-inferred types of `src/config` field for field; they exist only so this
 * module compiles on its own, and are due to be replaced by `z.infer` re-exports (house style 5).
 * @module
 */

/** An agent reached over the Warden agent protocol (`POST <url>`, JSON in, JSON out). */
export interface HttpAdapterConfig {
  type: 'http';
  url: string;
  /** Extra request headers. Never put secrets here; use `headersEnv`. */
  headers?: Record<string, string>;
  /** Header name → the environment variable holding its (secret) value, read at call time. */
  headersEnv?: Record<string, string>;
}

/** An OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, LM Studio, …). */
export interface OpenAIAdapterConfig {
  type: 'openai';
  baseUrl: string;
  model: string;
  /** The environment variable holding the API key, sent as a bearer token when set. */
  apiKeyEnv?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
}

/** A local program: the request as JSON on stdin, the answer as JSON on stdout. Never run through a shell. */
export interface CommandAdapterConfig {
  type: 'command';
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Working directory, relative to the config file's folder. Defaults to that folder. */
  cwd?: string;
}

/** A function exported by an ES module, resolved relative to the config file's folder. */
export interface ModuleAdapterConfig {
  type: 'module';
  path: string;
  export: string;
}

/** An in-process stand-in agent for demos, drills and benchmarks. */
export interface SimulatedAdapterConfig {
  type: 'simulated';
  /** A fixed latency, or a uniform `[min, max]` range, in ms. */
  latencyMs: number | [number, number];
  /** The probability (0–1) that a call fails with a transient `failStatus` error. */
  failureRate: number;
  failStatus: number;
  /** The probability (0–1) that a call fails with a permanent (422-like) error. */
  permanentFailureRate: number;
  /** The output to return; when absent, a summary object naming the agent and task. */
  output?: unknown;
}

/** Every adapter config, discriminated by `type`. */
export type AdapterConfig = HttpAdapterConfig | OpenAIAdapterConfig | CommandAdapterConfig | ModuleAdapterConfig | SimulatedAdapterConfig;
