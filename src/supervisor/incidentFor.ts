/**
 * The incident a component the supervisor could not heal raises: what a person on call needs to
 * see, from the component's own memory.
 * @module
 */
import type { IncidentInput } from '../escalation/EscalationService.js';
import type { Transition } from '../lifecycle/types.js';
import type { Component } from './Component.js';
import type { SupervisorTransition } from './types.js';

/** The key of a component's incident: one per component, raised and resolved by the supervisor. */
export function incidentKey(c: Pick<Component, 'name'>): string {
  return `supervisor:${c.name}`;
}

/**
 * The incident for a component escalated (or failed) with `code`: its transitions as the
 * timeline, its recent checks, every strategy tried and, for a managed agent, the process's
 * restarts and last output.
 * @internal
 */
export function incidentFor(c: Component, code: string, why: string | undefined): IncidentInput {
  const p = c.process;
  const summary = `${c.name} is ${c.state}: ${why ?? code}`;
  return {
    key: incidentKey(c),
    source: c.name,
    severity: c.severity,
    code,
    summary,
    timeline: c.transitions.toArray().map(toTimeline),
    details: {
      component: c.name,
      kind: c.kind,
      check: c.check.type,
      state: c.state,
      summary,
      healthHistory: c.history.toArray(20),
      strategies: c.tried.map((o) => ({ ...o })),
      ...(p ? { process: { state: p.state, restarts: p.restarts.slice(-10), lastOutput: p.tail().slice(-20) } } : {}),
    },
    ...(c.agent !== undefined ? { agents: [c.agent] } : {}),
  };
}

/** A supervisor transition in the shape of a task transition, for an incident's timeline. */
function toTimeline(t: SupervisorTransition): Transition {
  const reason = [t.strategy, t.detail].filter(Boolean).join(': ');
  return { seq: t.seq, at: t.at, from: t.from, to: t.to, event: t.event, ...(reason ? { detail: { reason } } : {}) };
}
