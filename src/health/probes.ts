/**
 * The probes of an orchestrator: `GET /livez` (restart me if this fails) and `GET /readyz`
 * (send me work only while this passes). Neither needs a token, and neither looks at an agent.
 * @module
 */
import { z } from 'zod';
import type { Engine } from '../lifecycle/Engine.js';
import type { StoreProbe } from './StoreProbe.js';

/** What `GET /livez` answers: it answers at all, so the process serves HTTP. */
export const livenessSchema = z.object({ status: z.literal('alive') });

/** What `GET /readyz` answers, 200 or 503 alike. */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  reason: z.string().optional().describe('Why not: starting, draining, stopped, or the store not answering'),
});

/** Whether Warden is ready, and why not. */
export type Readiness = z.infer<typeof readinessSchema>;

/**
 * Ready when the engine accepts tasks and the store answers a read. Agents and channels do not
 * count: with an agent down, fallback chains and degraded responses still answer, and taking
 * Warden out of rotation for it would only add an outage. While the engine is starting or
 * draining the store is not even asked.
 */
export async function readiness(engine: Pick<Engine, 'phase'>, probe: StoreProbe): Promise<Readiness> {
  const phase = engine.phase;
  if (phase === 'starting') return { status: 'not-ready', reason: 'starting: resuming unfinished tasks' };
  if (phase === 'stopping') return { status: 'not-ready', reason: 'draining: accepting no tasks' };
  if (phase === 'stopped') return { status: 'not-ready', reason: 'stopped' };
  const store = await probe.check();
  return store.ok ? { status: 'ready' } : { status: 'not-ready', reason: store.detail };
}
