/**
 * Agents: the adapters that reach them (`http`, `openai`, `command`, `module`, `simulated`)
 * and the registry of configured agents.
 * @module
 */
export type { AgentAdapter, AgentRequest, AdapterContext } from './AgentAdapter.js';
export type {
  AdapterConfig,
  HttpAdapterConfig,
  OpenAIAdapterConfig,
  CommandAdapterConfig,
  ModuleAdapterConfig,
  SimulatedAdapterConfig,
} from './adapterTypes.js';
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
