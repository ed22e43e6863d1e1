/**
 * The shapes the supervisor shows the world: its transitions, check results, strategy outcomes,
 * component views and events.
 * @module
 */
import type { SupervisorState } from './SupervisorMachine.js';

/** Agents are watched by their own checks; system components by the engine's. */
export type ComponentKind = 'agent' | 'system';

/** Readiness, as routing reads it: `unknown` until the first verdict. */
export type Readiness = 'healthy' | 'unhealthy' | 'unknown';

/** One recorded state change of a supervised component. */
export interface SupervisorTransition {
  /** 1, 2, 3… per component. */
  seq: number;
  /** When, on the engine clock (ISO 8601). */
  at: string;
  /** The component, e.g. `agent:senior-backend-developer` or `system:event-loop`. */
  component: string;
  from: SupervisorState;
  to: SupervisorState;
  /** The machine event, e.g. `CHECK_FAILED`, `RECOVER`, `RECOVERY_OK`, `EXITED`, `GIVE_UP`. */
  event: string;
  /** The recovery strategy this transition starts or ends. */
  strategy?: string;
  /** What happened, in words: the check's verdict, the strategy's outcome. */
  detail?: string;
}

/** One health-check result. */
export interface CheckRecord {
  /** ISO 8601 on the engine clock. */
  at: string;
  ok: boolean;
  detail?: string;
  /** The measured value where the check has one (delay ms, heap ratio, queue age ms). */
  value?: number;
}

/** One strategy tried during a recovery episode, and how it went. */
export interface StrategyOutcome {
  strategy: string;
  /** Its index in the component's recovery ladder; -1 for the automatic restart of a managed process. */
  index: number;
  startedAt: string;
  endedAt?: string;
  /** Whether it was applied. */
  ok?: boolean;
  detail?: string;
  /** Whether the component then passed its checks (false: the next strategy was tried, or it was escalated). */
  verified?: boolean;
}

/** A supervised component as `GET /api/supervisor` shows it. */
export interface ComponentView {
  /** `agent:<id>` or `system:<check>`. */
  name: string;
  kind: ComponentKind;
  /** The agent id, for agents. */
  agent?: string;
  /** The check: `http`, `command`, `passive`, `process`, or a system check's name. */
  check: string;
  state: SupervisorState;
  health: Readiness;
  lastCheck: CheckRecord | null;
  /** The ladder index in use while recovering or verifying. */
  strategyIndex?: number;
  /** The strategy in use while recovering or verifying. */
  strategy?: string;
  /** The managed process, for agents Warden runs. */
  process?: { state: string; pid?: number; restarts: number; nextRestartAt?: string };
  transitions: SupervisorTransition[];
}

/** One component's line in the health summary. */
export interface ComponentHealth {
  name: string;
  kind: ComponentKind;
  /** `unknown` while a component has had no verdict yet; it does not degrade the whole. */
  status: 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  state: SupervisorState;
  lastCheck: CheckRecord | null;
}

/**
 * The supervisor's own verdict on what it watches. `GET /api/health` shows its components, but
 * decides its status by its own rule (only the engine and the store make it unhealthy).
 */
export interface HealthSummary {
  /**
   * `unhealthy` when a system component is down or no supervised agent is serving; `degraded`
   * when any component is not healthy; `healthy` otherwise.
   */
  status: 'healthy' | 'degraded' | 'unhealthy';
  components: ComponentHealth[];
}

/** Supervisor events and their listeners (typed for eventemitter3). */
export interface SupervisorEvents {
  /** Every state change of every component, once recorded. */
  transition: (t: SupervisorTransition) => void;
  /** Every health-check result. */
  check: (component: string, result: CheckRecord) => void;
  /** A problem the supervisor survived (a throwing listener, a failed escalation). */
  error: (err: unknown) => void;
}
