/**
 * The config of Warden: zod schemas (the source of every config type), loaders that collect
 * every problem before throwing one {@link ConfigError}, and JSON Schema for editors.
 * @module
 */
export * from './schema.js';
export { DURATION_PATTERN, parseDuration } from './duration.js';
export type { DurationInput } from './duration.js';
export { ID_PATTERN } from './strict.js';
export { ConfigError, formatProblem } from './ConfigError.js';
export type { ConfigProblem } from './ConfigError.js';
export { INLINE_CONFIG, createLoadedConfig, loadConfig, loadWorkflowsFrom, parseConfig, parseWorkflow } from './load.js';
export type { CreateLoadedConfigOptions, LoadConfigOptions, LoadedConfig, LoadedWorkflow } from './load.js';
export { candidateAgents } from './crossCheck.js';
export { describeConfig } from './describeConfig.js';
export { configJsonSchema, jsonSchemaFiles, workflowJsonSchema } from './jsonSchema.js';
export { secretValues } from './secrets.js';
