import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RecoveryStep } from '../../config/index.js';
import type { RecoveryContext, RecoveryStrategy, StrategyResult } from './Strategy.js';

type ModuleStep = Extract<RecoveryStep, { strategy: 'module' }>;

/**
 * A recovery function of your own: `export default async function (ctx) { … }`, given the
 * {@link RecoveryContext}. It fails when it throws or returns `false` or `{ ok: false }`; any
 * other answer (nothing, `true`, `{ ok: true, detail }`) is success.
 *
 * @example
 * // recover/flush-dns.js
 * export default async function ({ component, logger }) {
 *   logger.info({ component: component.name }, 'flushing the DNS cache');
 *   return { ok: true, detail: 'DNS cache flushed' };
 * }
 */
export type UserRecoveryFunction = (ctx: RecoveryContext) => unknown;

export const moduleStrategy: RecoveryStrategy = async (step, ctx) => {
  const s = step as ModuleStep;
  const file = resolve(ctx.configDir, s.path);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = mod[s.export];
  if (typeof fn !== 'function') return { ok: false, detail: `${s.path} has no function export "${s.export}"` };
  const answer = await (fn as UserRecoveryFunction)(ctx);
  return toResult(answer, `${s.path}#${s.export}`);
};

function toResult(answer: unknown, name: string): StrategyResult {
  if (answer === false) return { ok: false, detail: `${name} returned false` };
  if (answer && typeof answer === 'object' && 'ok' in answer) {
    const a = answer as { ok: unknown; detail?: unknown };
    return { ok: a.ok !== false, detail: typeof a.detail === 'string' ? a.detail : `${name} returned ok: ${String(a.ok)}` };
  }
  return { ok: true, detail: `${name} done` };
}
