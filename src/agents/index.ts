/**
 * Agents: the adapters that reach them (`http`, `openai`, `command`, `module`, `simulated`)
 * and the registry of configured agents.
 * @module
 */
export type { AgentAdapter, AgentRequest, AdapterContext } from './AgentAdapter.js';
// The adapter configs are the config schemas' types; a type-only import, so agents never load config at runtime.
export type {
  AdapterConfig,
  HttpAdapterConfig,
  OpenAIAdapterConfig,
  CommandAdapterConfig,
  ModuleAdapterConfig,
  SimulatedAdapterConfig,
} from '../config/adapterSchema.js';
export { abortError, isTimeoutReason } from './abortError.js';
export { createAdapter } from './createAdapter.js';
export { AgentRegistry } from './AgentRegistry.js';
export type { AgentEntryConfig, RegisteredAgent } from './AgentRegistry.js';
export { httpAdapter } from './adapters/http.js';
export { openaiAdapter } from './adapters/openai.js';
export type { OpenAIOutput } from './adapters/openai.js';
export { commandAdapter, INHERITED_ENV, KILL_GRACE_MS } from './adapters/command.js';
export { moduleAdapter } from './adapters/module.js';
export type { AgentFunction } from './adapters/module.js';
export { simulatedAdapter } from './adapters/simulated.js';
