/**
 * Commits a recorded step to the store. A step that ends a task degraded or failed commits its
 * escalation (the outbox rows) in the same transaction, under the escalation lock; a completion
 * that may resolve escalations does too. Everything else commits plainly, so that group commit
 * can batch it.
 * @module
 */
import type { EscalationService } from '../escalation/EscalationService.js';
import { failpoint } from '../escalation/failpoint.js';
import type { EscalationWrite } from '../escalation/types.js';
import type { NewTask, StepCommit, Store } from '../store/Store.js';
import type { Transition } from './types.js';
import type { EscalationEvent } from './events.js';
import type { RecordedStep } from './StepRecorder.js';

/** A recorded step of any lifecycle: its row, transition, timers, and the attempt or new tasks it writes. */
export type CommittableStep = Pick<RecordedStep, 'record' | 'transition' | 'timers' | 'attempt'> & {
  /** Every transition of the step, when it has more than its event's (a run resolving the steps it made ready). */
  transitions?: readonly Transition[];
  create?: readonly NewTask[];
};

/** Commits steps. One per engine. */
export class StepCommitter {
  /** Steps inside the escalation lock right now (see #nothingToResolve). */
  #escalating = 0;

  constructor(
    private readonly store: Store,
    private readonly escalations: EscalationService,
    /** Told the wake time of every timer a step sets. */
    private readonly onTimer: (at: number) => void,
  ) {}

  /**
   * Commits `step`; with `escalation`, opens or groups its escalation in the same transaction
   * and sets its id on the event and the step's record. Resolves with the stream id of the
   * step's transition.
   */
  async commit(step: CommittableStep, escalation?: EscalationEvent): Promise<number | undefined> {
    const rec = step.record;
    const write: StepCommit = {
      task: rec,
      transitions: step.transitions ?? [step.transition],
      ...(step.attempt ? { attempt: step.attempt } : {}),
      timers: step.timers,
      ...(step.create?.length ? { create: step.create } : {}),
    };
    const completed = rec.state === 'completed';
    let eventId: number | undefined;
    if (!escalation && (!completed || (await this.#nothingToResolve(step)))) {
      // Under the escalation lock every completion waited for the previous one's commit, so a
      // group commit batched nothing (390 tasks/s on SQLite; see docs/benchmarks.md).
      [eventId] = await this.store.commit(write);
    } else {
      // The escalation (or the resolved notices) commit in the task's final transaction: the outbox.
      this.#escalating++;
      let escWrite: EscalationWrite | undefined;
      try {
        [eventId, escWrite] = await this.escalations.exclusive(async () => {
          let planned: EscalationWrite | undefined;
          if (escalation) {
            const p = await this.escalations.planTaskEnded(rec, escalation);
            escalation.escalationId = p.id;
            if (!rec.escalationIds.includes(p.id)) rec.escalationIds = [...rec.escalationIds, p.id];
            planned = p.write;
          } else planned = await this.escalations.planTaskCompleted(rec);
          const [id] = await this.store.commit({ ...write, ...(planned ? { escalation: planned } : {}) });
          return [id, planned] as const;
        });
      } finally {
        this.#escalating--;
      }
      if (escWrite) {
        if (escWrite.outbox.length) failpoint('after-outbox-write');
        this.escalations.committed(escWrite);
      }
    }
    for (const tm of step.timers) if (tm.wakeAt !== null) this.onTimer(tm.wakeAt);
    for (const c of step.create ?? []) for (const tm of c.timers ?? []) if (tm.wakeAt !== null) this.onTimer(tm.wakeAt);
    return eventId;
  }

  /**
   * Whether a completed task can commit without the escalation lock: no escalation of its
   * workflow and plan is unresolved, and none is being written by this engine. A failure whose
   * escalation is still being planned commits after this success, so this success rightly
   * does not resolve it.
   */
  async #nothingToResolve(step: CommittableStep): Promise<boolean> {
    if (this.#escalating > 0) return false;
    const write = await this.escalations.planTaskCompleted(step.record);
    return write === undefined && this.#escalating === 0;
  }
}
