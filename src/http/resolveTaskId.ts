/**
 * The task id of a `/api/tasks/:id…` route, as people type it: the whole id, or the short form
 * that the CLI and the dashboard show (a unique prefix of at least {@link MIN_ID_PREFIX}
 * characters, like a short git hash), and for a run's step task the run's short id followed by
 * `.<step>…`.
 * @module
 */
import type { Context } from 'hono';
import type { Engine } from '../lifecycle/Engine.js';
import type { Task } from '../lifecycle/types.js';
import { problem } from './problem.js';

/** The shortest prefix that is looked up; shorter ones must match a task id exactly. */
export const MIN_ID_PREFIX = 8;

/** How many of the matches of an ambiguous prefix the error lists. */
const LISTED = 10;

/** What resolving gives: the whole id, or the problem to answer. */
export type TaskIdResolution =
  | { ok: true; id: string }
  | { ok: false; code: 'TASK_NOT_FOUND' | 'AMBIGUOUS_TASK_ID'; message: string; issues?: { path: string; message: string }[] };

/**
 * Resolves `given` to the id of one task. An exact id wins; otherwise the part before the first
 * dot is a prefix of a top-level task's id (a task or a run, never a step, whose id holds a dot),
 * and the rest names a step task of that run.
 */
export async function resolveTaskId(engine: Pick<Engine, 'get' | 'list'>, given: string): Promise<TaskIdResolution> {
  const notFound = { ok: false, code: 'TASK_NOT_FOUND', message: `no task ${given}` } as const;
  if (await engine.get(given)) return { ok: true, id: given };
  const dot = given.indexOf('.');
  const head = dot < 0 ? given : given.slice(0, dot);
  const rest = dot < 0 ? '' : given.slice(dot);
  if (head.length < MIN_ID_PREFIX) return notFound;
  const matches = await engine.list({ idPrefix: head, topLevel: true, limit: LISTED + 1 });
  if (matches.length === 0) return notFound;
  if (matches.length > 1) return ambiguous(given, head, matches);
  const id = matches[0]!.id + rest;
  if (rest && !(await engine.get(id))) return notFound;
  return { ok: true, id };
}

function ambiguous(given: string, head: string, matches: readonly Task[]): TaskIdResolution {
  const more = matches.length > LISTED ? ' or more' : '';
  return {
    ok: false,
    code: 'AMBIGUOUS_TASK_ID',
    message: `task id ${given} is ambiguous: ${Math.min(matches.length, LISTED)}${more} task ids start with ${head}; give more of it`,
    issues: matches.slice(0, LISTED).map((t) => ({ path: t.id, message: `${t.workflow}, ${t.status}, created ${t.createdAt}` })),
  };
}

/**
 * Runs `then` with the whole id of the route's `:id`, or answers 404 TASK_NOT_FOUND or 400
 * AMBIGUOUS_TASK_ID (listing the matches as issues).
 * @example
 * app.get('/api/tasks/:id', (c) => withTaskId(c, engine, async (id) => c.json(await engine.get(id))));
 */
export async function withTaskId(
  c: Context,
  engine: Pick<Engine, 'get' | 'list'>,
  then: (id: string) => Response | Promise<Response>,
): Promise<Response> {
  const r = await resolveTaskId(engine, c.req.param('id') ?? '');
  return r.ok ? then(r.id) : problem(c, r.code, r.message, r.issues);
}
