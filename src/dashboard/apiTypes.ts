/**
 * The API's answers as the dashboard's browser modules read them, for their JSDoc types only
 * (`@import` in `public/*.js`; nothing here reaches the browser). Each type comes from the HTTP
 * API's zod schemas, or from the module that owns a shape the schemas leave open (the supervisor's
 * components, the lifecycle graph), so `npm run typecheck` holds the browser code to what the
 * server really sends.
 * @module
 */
import type { z } from 'zod';
import type {
  agentListSchema,
  agentSchema,
  escalationListSchema,
  escalationSchema,
  healthSchema,
  taskListSchema,
  taskSchema,
  transitionEventSchema,
  transitionListSchema,
  transitionSchema,
} from '../http/schemas.js';
import type { ComponentView, SupervisorTransition } from '../supervisor/types.js';

export type { LifecycleGraph } from './lifecycleGraph.js';
export type { RunGraph } from './runGraph.js';

/** `GET /api/tasks/:id`. */
export type Task = z.output<typeof taskSchema>;
/** `GET /api/tasks`. */
export type TaskList = z.output<typeof taskListSchema>;
/** One recorded state change of a task. */
export type Transition = z.output<typeof transitionSchema>;
/** `GET /api/tasks/:id/transitions`. */
export type TransitionList = z.output<typeof transitionListSchema>;
/** A `transition` on the event stream. */
export type TransitionEvent = z.output<typeof transitionEventSchema>;
/** One agent of `GET /api/agents`. */
export type Agent = z.output<typeof agentSchema>;
/** `GET /api/agents`. */
export type AgentList = z.output<typeof agentListSchema>;
/** `GET /api/escalations/:id`. */
export type Escalation = z.output<typeof escalationSchema>;
/** `GET /api/escalations`. */
export type EscalationList = z.output<typeof escalationListSchema>;
/** `GET /api/health` (also the body of its 503). */
export type Health = z.output<typeof healthSchema>;
/** One component of `GET /api/supervisor`. */
export type SupervisedComponent = ComponentView;
/** `GET /api/supervisor`. */
export interface SupervisedComponentList {
  components: SupervisedComponent[];
}
/** A `supervisor` event on the stream: one state change of a supervised component. */
export type SupervisorEvent = SupervisorTransition;
/** An `escalation` event on the stream. */
export interface EscalationEvent {
  change: string;
  escalation: Escalation;
}
