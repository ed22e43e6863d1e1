import { PgBoss } from 'pg-boss';
import { systemClock } from '../clock/index.js';
import type { Engine } from '../lifecycle/Engine.js';
import { TERMINAL_STATUSES, type TransitionEvent } from '../lifecycle/types.js';
import type { PostgresStore } from '../store/PostgresStore.js';
import { Leader } from './Leader.js';
import { type RunKind, runJobs } from './DistributedRunner.js';
import { leaseAgentSlot } from './leaseAgentSlot.js';
import { poll } from './Poller.js';

/** Options for {@link startDistributed}. */
export interface DistributedOptions {
  /** Run tasks in this process. `warden serve --no-worker` turns it off. Defaults to true. */
  worker?: boolean;
  /** Tasks run at once by this process. Defaults to 50. */
  concurrency?: number;
  /** How often other workers' breaker changes are read. Defaults to 500 ms. */
  breakerPollMs?: number;
  /** How often the transition feed reads the store (for SSE and `result()`). Defaults to 200 ms. */
  feedPollMs?: number;
  /** How often the leader looks for outbox rows written by other workers. Defaults to 250 ms. */
  outboxPollMs?: number;
  /** How often a non-leader tries to become the leader. Defaults to 1000 ms. */
  leaderRetryMs?: number;
  /** Called when this process becomes or stops being the leader. */
  onLeader?: (leading: boolean) => void | Promise<void>;
}

/** A running distributed node. */
export interface DistributedNode {
  readonly leader: Leader;
  readonly boss: PgBoss;
  stop(): Promise<void>;
}

/** The pg-boss queue of lifecycle work. */
export const TASK_QUEUE = 'warden_tasks';

type JobData = { taskId: string; kind: RunKind } | { ownerId: string; kind: 'esc-repeat' | 'esc-ack' };

/**
 * Distributed mode on Postgres. Tasks and their timers are pg-boss jobs, queued in the same
 * transaction as the step that needs them (the store's hooks), so a step and its next job
 * commit or roll back together. Any worker takes any job; a task runs on one worker until it
 * parks on a timer or ends, and each step commits only if the task is still where that worker
 * left it (the store's optimistic `seq` check), so a task is never completed twice.
 *
 * A worker that dies stops heartbeating its jobs; pg-boss hands them to another worker within
 * about `heartbeatSeconds` (10 s, pg-boss's floor), which re-runs the task's current step with
 * the same idempotency key.
 *
 * One process leads (a Postgres advisory lock): it runs the escalation sender and the
 * supervisor. Breaker state is shared through the store; the transition feed reads every
 * worker's transitions back from the store, for SSE and `result()`.
 */
export async function startDistributed(engine: Engine, store: PostgresStore, opts: DistributedOptions = {}): Promise<DistributedNode> {
  const logger = engine.logger;
  const boss = new PgBoss({
    connectionString: store.connectionString,
    schema: `${store.schema}_boss`,
    superviseIntervalSeconds: 2,
    monitorIntervalSeconds: 2,
    max: 4,
  });
  boss.on('error', (err: unknown) => logger.warn({ err: String(err) }, 'pg-boss error'));
  await boss.start();
  try {
    await boss.createQueue(TASK_QUEUE, {
      heartbeatSeconds: 10,
      retryLimit: 1_000_000,
      retryDelay: 1,
      expireInSeconds: 6 * 3600,
      deleteAfterSeconds: 3600,
    });
  } catch (err) {
    if (!/exists/i.test(String(err))) throw err;
  }

  const send = (db: { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }, data: JobData, at?: number) =>
    boss.send(TASK_QUEUE, data, { db: db as never, ...(at !== undefined ? { startAfter: new Date(at) } : {}) });

  // Jobs join the step's own transaction: a step and the job that continues it commit together.
  store.hooks = {
    async createTask(db, task, timers) {
      await send(db, { taskId: task.id, kind: 'start' });
      for (const t of timers ?? [])
        if (t.kind === 'deadline' && t.wakeAt !== null) await send(db, { taskId: task.id, kind: 'deadline' }, t.wakeAt);
    },
    async commit(db, step) {
      for (const t of step.timers ?? [])
        if (t.kind === 'wake' && t.wakeAt !== null) await send(db, { taskId: step.task.id, kind: 'wake' }, t.wakeAt);
      // Runs: a step task's end wakes its run, and the steps a run no longer needs are cancelled,
      // wherever they run; both jobs commit with the step that decided them.
      for (const job of runJobs(step)) await send(db, job);
      // A step's escalation timers go through the writeEscalations hook, which the store also calls.
    },
    async writeEscalations(db, write) {
      for (const t of write.timers ?? []) if (t.wakeAt !== null) await send(db, { ownerId: t.ownerId, kind: t.kind }, t.wakeAt);
    },
  };

  // The agent's concurrency limit is global: an attempt holds a lease row while it calls, for
  // at most the engine's ttl (the attempt's timeout and a grace), in short renewed holds so a
  // dead worker's slots come back within seconds. Leases are timed on the wall clock, not the
  // engine's: every worker compares their expiries in the database.
  engine.distributed = {
    lease: (agent, limit, ttlMs, signal) => leaseAgentSlot({ store, clock: systemClock }, agent, limit, ttlMs, signal),
  };

  if (opts.worker ?? true) {
    await boss.work<JobData>(
      TASK_QUEUE,
      { batchSize: 1, localConcurrency: opts.concurrency ?? 50, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (!job) return;
        const data = job.data;
        if ('ownerId' in data) return engine.escalations.fireTimer(data.ownerId, data.kind);
        await engine.distributedRunner!.runTask(data.taskId, data.kind, job.retryCount > 0);
      },
    );
  }

  // Breaker state written by other workers is adopted here within one poll.
  const seen = new Map<string, number>();
  const breakers = poll(
    opts.breakerPollMs ?? 500,
    async () => {
      for (const row of await store.loadBreakers()) {
        if (row.updatedAt <= (seen.get(row.agent) ?? 0)) continue;
        seen.set(row.agent, row.updatedAt);
        const state = engine.agents.adopt(row.agent, row.snapshot);
        // Worded as the breaker's own change is logged, so one search finds both.
        if (state) logger.info({ agent: row.agent, to: state }, `circuit of ${row.agent} ${state} (adopted from another node)`);
      }
    },
    (err) => logger.warn({ err: String(err) }, 'breaker sync failed; will retry'),
  );

  // Every worker's transitions, read back in order, for SSE on any node and for result().
  let last = await store.lastTransitionId();
  const feed = poll(
    opts.feedPollMs ?? 200,
    async () => {
      for (;;) {
        const batch: TransitionEvent[] = await store.transitionsSince(last, 1000);
        for (const e of batch) {
          last = e.eventId ?? last;
          engine.distributedRunner!.feedTransition(e);
          if (TERMINAL_STATUSES.has(e.to as never)) {
            const task = await engine.get(e.taskId);
            if (task) engine.distributedRunner!.feedTaskEnded(task);
          }
        }
        if (batch.length < 1000) return;
      }
    },
    (err) => logger.warn({ err: String(err) }, 'transition feed failed; will retry'),
  );

  const leader = new Leader(
    store.connectionString,
    `warden-leader:${store.schema}`,
    logger,
    async (leading) => {
      engine.escalations.setSending(leading);
      await opts.onLeader?.(leading);
    },
    opts.leaderRetryMs ?? 1_000,
  );
  leader.start();

  // Outbox rows are written by whichever worker ends a task; the leader's sender polls for them.
  const outbox = poll(
    opts.outboxPollMs ?? 250,
    async () => {
      if (leader.leading) engine.escalations.kick();
    },
    (err) => logger.warn({ err: String(err) }, 'outbox poll failed; will retry'),
  );

  return {
    leader,
    boss,
    async stop() {
      await leader.stop();
      await outbox.stop();
      await breakers.stop();
      await feed.stop();
      // Let running tasks reach a step boundary; unfinished jobs come back to other workers.
      await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => {});
    },
  };
}
