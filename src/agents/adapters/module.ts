import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wardenError } from '../../errors/index.js';
import { raceAbort } from '../../policies/raceAbort.js';
import { abortError } from '../abortError.js';
import type { AdapterContext, AgentAdapter, AgentRequest } from '../AgentAdapter.js';
import type { ModuleAdapterConfig } from '../../config/adapterSchema.js';
import { forAgent } from '../forAgent.js';

/**
 * The function a `module` agent exports. It resolves with the task's output; anything it throws
 * is classified. It should stop when `signal` aborts, though Warden moves on without it either way.
 *
 * @example
 * // agents/summarise.js
 * export default async function summarise(req, { signal }) {
 *   return { summary: String(req.input.content).slice(0, 100) };
 * }
 */
export type AgentFunction = (req: AgentRequest, options: { signal: AbortSignal }) => unknown;

/**
 * A function exported by an ES module as an agent. The module is imported on the first call and
 * kept; a failed import is retried on the next call, so a fixed file can be picked up. A module
 * that cannot be imported, or whose export is not a function, is `CONFIG_INVALID`.
 *
 * The call is raced against `signal`: on abort the adapter throws at once, even if the function
 * ignores its signal and runs on.
 *
 * @example
 * moduleAdapter('summariser', { type: 'module', path: './agents/summarise.js', export: 'default' }, ctx);
 */
export function moduleAdapter(agentId: string, config: ModuleAdapterConfig, ctx: AdapterContext): AgentAdapter {
  const file = resolve(ctx.configDir, config.path);
  let loading: Promise<AgentFunction> | undefined;
  const load = (): Promise<AgentFunction> =>
    (loading ??= importFunction(file, config.export).catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));

  return {
    async call(req: AgentRequest, signal: AbortSignal): Promise<unknown> {
      try {
        const fn = await raceAbort(load(), signal, abortError);
        // a function that throws synchronously is caught here just like one that rejects
        return await raceAbort(
          Promise.resolve().then(() => fn(req, { signal })),
          signal,
          abortError,
        );
      } catch (e) {
        throw forAgent(signal.aborted ? abortError(signal) : ctx.classifier.classify(e, { agent: agentId }), agentId);
      }
    },
    async prepare(): Promise<void> {
      await load();
    },
    async close(): Promise<void> {
      // Node keeps imported modules for the life of the process; forgetting ours is all we can do
      loading = undefined;
    },
  };
}

async function importFunction(file: string, exportName: string): Promise<AgentFunction> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw wardenError('CONFIG_INVALID', `agent module ${file} could not be imported: ${why}`, { cause: e });
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    throw wardenError(
      'CONFIG_INVALID',
      `agent module ${file} has no function export "${exportName}" (found ${fn === undefined ? 'nothing' : typeof fn})`,
    );
  }
  return fn as AgentFunction;
}
