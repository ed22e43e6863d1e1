import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { Clock, TimerHandle } from '../clock/index.js';
import type { EscalationConfig } from '../config/index.js';
import { wardenError } from '../errors/index.js';
import type { EscalationEvent } from '../lifecycle/events.js';
import type { Logger } from '../lifecycle/logger.js';
import { computeDelay } from '../policies/index.js';
import type { Store, TaskRecord } from '../store/Store.js';
import type { Channel, DeliveryRef } from './channels/Channel.js';
import { createChannel } from './channels/createChannel.js';
import { failpoint } from './failpoint.js';
import { createRedactor } from './redact.js';
import type { NotificationFacts, NotificationKind } from './render/NotificationFacts.js';
import { fallbackChannel, nextSeverity, routeChannels } from './router.js';
import type { ChannelDelivery, EscalationRecord, EscalationTimerKind, EscalationWrite, OutboxRow } from './types.js';
import { iso } from '../clock/iso.js';

/** An escalation that no task caused, e.g. a component the supervisor could not recover. */
export interface IncidentInput {
  /** Identifies the incident; raising it again while unresolved groups into the open one. */
  key: string;
  /** The component, e.g. `agent:senior-backend-developer` or `system:event-loop`; shown where a workflow would be. */
  source: string;
  severity: import('../errors/index.js').Severity;
  /** A stable error code, e.g. RECOVERY_FAILED or RESTART_INTENSITY_EXCEEDED. */
  code: string;
  /** One line for the log. */
  summary: string;
  /** The component's recent transitions, shown as the message's timeline. */
  timeline: import('../lifecycle/types.js').Transition[];
  /** Health history, strategies tried and their outcomes: shown as the message's details. */
  details?: unknown;
  /** Agents involved, for routing rules that match on agent. */
  agents?: string[];
}

/** Escalation news, for the API stream and the dashboard. */
export interface EscalationServiceEvents {
  changed: (record: EscalationRecord, what: string) => void;
}

/** What the service needs from its surroundings. */
export interface EscalationServiceOptions {
  config: EscalationConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  env: Record<string, string | undefined>;
  /** Secret values to redact from every notification (the `*Env` values of the config). */
  secrets: string[];
  random: () => number;
  /** Called when an escalation timer is set, so the engine's scheduler can arm for it. */
  onTimer: (at: number) => void;
}

/**
 * Window during which repeats of an open escalation are batched into one thread reply, like
 * Alertmanager's group_interval: 20 identical failures make 1 page and 1 update, not 20 pages.
 */
const GROUP_INTERVAL_MS = 30_000;
/** How long a follow-up waits for its first message to be sent before it checks again. */
const PARENT_WAIT_MS = 1_000;
const MAX_TASK_IDS = 100;

/**
 * Turns degraded and failed tasks into escalations and gets them to humans: routing by
 * severity, dedup by fingerprint, a durable outbox with retries and channel fallback, ack,
 * repeats, re-escalation on ack timeout and resolved notices.
 *
 * Every change to an escalation, its outbox rows and its timers is written in one transaction.
 * A task's escalation is written in the task's final step, so a crash can never leave a failed
 * task without its escalation.
 */
export class EscalationService extends EventEmitter<EscalationServiceEvents> {
  readonly #o: EscalationServiceOptions;
  readonly #channels = new Map<string, Channel>();
  #lock: Promise<unknown> = Promise.resolve();
  /** workflow|planKey of unresolved escalations, so a success costs no store read when there is nothing to resolve. */
  readonly #unresolved = new Set<string>();
  #timer: TimerHandle | undefined;
  #armedAt: number | undefined;
  #draining = false;
  #again = false;
  #running = false;
  readonly #sending = new Set<string>();
  /** The dashboard's base URL, for links in notifications. */
  publicUrl: string | undefined;

  constructor(o: EscalationServiceOptions) {
    super();
    this.#o = o;
    const redact = createRedactor(o.secrets);
    for (const [name, cfg] of Object.entries(o.config.channels)) {
      this.#channels.set(name, createChannel(name, cfg, { env: o.env, redact, maxFieldChars: o.config.maxFieldChars, logger: o.logger }));
    }
  }

  /** The configured channels, by name. */
  get channels(): ReadonlyMap<string, Channel> {
    return this.#channels;
  }

  /** Loads what it needs; with `send` (the default) also starts the outbox sender. */
  async start(opts: { send?: boolean } = {}): Promise<void> {
    for (const e of await this.#o.store.listEscalations({ status: ['open', 'acknowledged'], limit: 100_000 }))
      this.#unresolved.add(`${e.workflow}|${e.planKey}`);
    this.setSending(opts.send ?? true);
  }

  /** Starts or stops the outbox sender. In distributed mode only the leader sends. */
  setSending(on: boolean): void {
    this.#running = on;
    if (on) this.kick();
    else if (this.#timer) {
      this.#o.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedAt = undefined;
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    await this.#lock.catch(() => {});
    await Promise.allSettled([...this.#channels.values()].map((c) => c.close()));
  }

  /** Runs `fn` with exclusive use of escalation records (read-modify-write stays consistent). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  /**
   * What a degraded or failed task's final step writes: a new escalation, or the open one with
   * the same fingerprint grouped. Call inside {@link exclusive}, and commit it with the step.
   */
  async planTaskEnded(task: TaskRecord, ev: EscalationEvent): Promise<{ id: string; write: EscalationWrite }> {
    const now = this.#o.clock.now();
    const { store, config } = this.#o;
    // A dedup window of 0 turns grouping off: every task gets its own escalation.
    const existing = config.dedupWindowMs > 0 ? await store.findOpenEscalation(ev.fingerprint, now - config.dedupWindowMs) : undefined;
    if (existing) {
      existing.count += 1;
      existing.taskIds = [...existing.taskIds, task.id].slice(-MAX_TASK_IDS);
      existing.updatedAt = iso(now);
      // A grouped reply being sent right now has already read its count: it does not cover this failure.
      const pending = new Set(
        (await store.outboxOf(existing.id))
          .filter((r) => r.status === 'pending' && r.kind === 'grouped' && !this.#sending.has(r.id))
          .map((r) => r.channel),
      );
      const outbox = existing.channels
        .filter((c) => c.status !== 'failed' && !pending.has(c.channel))
        .map((c) => this.#row(existing.id, c.channel, 'grouped', now + GROUP_INTERVAL_MS, now));
      return { id: existing.id, write: { records: [existing], outbox } };
    }
    const id = `esc_${randomUUID()}`;
    const channels = routeChannels(config, {
      workflow: ev.workflow,
      severity: ev.severity,
      finalErrorCode: ev.finalErrorCode,
      agentsTried: ev.agentsTried,
    });
    const record: EscalationRecord = {
      id,
      fingerprint: ev.fingerprint,
      workflow: ev.workflow,
      planKey: planKey(task.plan),
      severity: ev.severity,
      initialSeverity: ev.severity,
      status: 'open',
      outcome: ev.status,
      taskId: task.id,
      taskIds: [task.id],
      count: 1,
      errorCodes: ev.errorCodes,
      finalErrorCode: ev.finalErrorCode,
      agentsTried: ev.agentsTried,
      channels: channels.map((channel) => ({ channel, delivered: false, attempts: 0, status: 'pending' })),
      createdAt: iso(now),
      updatedAt: iso(now),
      repeats: 0,
    };
    if (!channels.length)
      this.#o.logger.warn({ escalation: id, taskId: task.id, severity: ev.severity }, `${ev.severity} escalation ${id}: log only`);
    return {
      id,
      write: { records: [record], outbox: channels.map((c) => this.#row(id, c, 'firing', now, now)), timers: this.#timersFor(record, now) },
    };
  }

  /** What a completed task's final step writes: resolved notices for escalations of the same workflow and plan. */
  async planTaskCompleted(task: TaskRecord): Promise<EscalationWrite | undefined> {
    const key = planKey(task.plan);
    if (!this.#unresolved.has(`${task.workflow}|${key}`)) return undefined;
    const open = await this.#o.store.findUnresolved(task.workflow, key);
    if (!open.length) return undefined;
    const now = this.#o.clock.now();
    const write: EscalationWrite = { records: [], outbox: [], timers: [] };
    for (const e of open) this.#resolveInto(write, e, now, { task: task.id });
    return write;
  }

  /** After a write is durable: wake the sender, arm timers, keep the resolve index current. */
  committed(write: EscalationWrite): void {
    for (const r of write.records) {
      const key = `${r.workflow}|${r.planKey}`;
      if (r.status === 'resolved') this.#unresolved.delete(key);
      else this.#unresolved.add(key);
      this.emit('changed', r, r.status);
    }
    for (const t of write.timers ?? []) if (t.wakeAt !== null) this.#o.onTimer(t.wakeAt);
    if (write.outbox.length) this.kick();
  }

  /**
   * Opens (or groups into) an escalation that no task caused: a component the supervisor could
   * not recover. `key` identifies the incident; the same key while unresolved groups into it.
   * Its `timeline` is shown where a task's transitions would be.
   */
  raiseIncident(input: IncidentInput): Promise<EscalationRecord> {
    return this.exclusive(async () => {
      const now = this.#o.clock.now();
      const existing = await this.#o.store.findOpenEscalation(input.key, 0);
      const write: EscalationWrite = { records: [], outbox: [], timers: [] };
      let record: EscalationRecord;
      if (existing) {
        existing.count += 1;
        existing.timeline = input.timeline;
        existing.details = input.details;
        existing.updatedAt = iso(now);
        record = existing;
        write.records.push(existing);
        const pending = new Set(
          (await this.#o.store.outboxOf(existing.id)).filter((r) => r.status === 'pending' && r.kind === 'grouped').map((r) => r.channel),
        );
        write.outbox.push(
          ...existing.channels
            .filter((c) => c.status !== 'failed' && !pending.has(c.channel))
            .map((c) => this.#row(existing.id, c.channel, 'grouped', now + GROUP_INTERVAL_MS, now)),
        );
      } else {
        const id = `esc_${randomUUID()}`;
        const channels = routeChannels(this.#o.config, {
          workflow: input.source,
          severity: input.severity,
          finalErrorCode: input.code,
          agentsTried: input.agents ?? [],
        });
        record = {
          id,
          fingerprint: input.key,
          workflow: input.source,
          planKey: input.key,
          severity: input.severity,
          initialSeverity: input.severity,
          status: 'open',
          outcome: 'failed',
          taskId: input.source,
          taskIds: [],
          count: 1,
          errorCodes: [input.code],
          finalErrorCode: input.code,
          agentsTried: input.agents ?? [],
          channels: channels.map((channel) => ({ channel, delivered: false, attempts: 0, status: 'pending' as const })),
          createdAt: iso(now),
          updatedAt: iso(now),
          repeats: 0,
          timeline: input.timeline,
          details: input.details,
        };
        write.records.push(record);
        write.outbox.push(...channels.map((c) => this.#row(id, c, 'firing', now, now)));
        write.timers!.push(...this.#timersFor(record, now));
        this.#o.logger.warn({ escalation: id, source: input.source, severity: input.severity, code: input.code }, input.summary);
      }
      await this.#o.store.writeEscalations(write);
      this.committed(write);
      return record;
    });
  }

  /** Resolves the open incident with this key, if any, and sends its resolved notice. */
  async resolveIncident(key: string, by = 'supervisor'): Promise<EscalationRecord | undefined> {
    const open = await this.#o.store.findOpenEscalation(key, 0);
    return open ? this.resolve(open.id, by) : undefined;
  }

  /** Acknowledges an escalation: stops its repeats and re-escalation, and tells its channels. */
  ack(id: string, by = 'api'): Promise<EscalationRecord> {
    return this.#change(id, (e, write, now) => {
      if (e.status !== 'open') return;
      e.status = 'acknowledged';
      e.ackedAt = iso(now);
      e.ackedBy = by;
      write.timers!.push({ ownerId: e.id, kind: 'esc-repeat', wakeAt: null }, { ownerId: e.id, kind: 'esc-ack', wakeAt: null });
      write.outbox.push(...this.#followUps(e, 'acknowledged', now));
    });
  }

  /** Resolves an escalation by hand. */
  resolve(id: string, by = 'api'): Promise<EscalationRecord> {
    return this.#change(id, (e, write, now) => {
      if (e.status !== 'resolved') this.#resolveInto(write, e, now, { by });
    });
  }

  /** An escalation timer fired: repeat the notice, or re-escalate an unacknowledged one. */
  async fireTimer(id: string, kind: EscalationTimerKind): Promise<void> {
    await this.#change(id, (e, write, now) => {
      write.timers!.push({ ownerId: id, kind, wakeAt: null });
      if (e.status !== 'open') return;
      const route = this.#o.config.severities[e.severity];
      if (kind === 'esc-repeat') {
        e.repeats += 1;
        write.outbox.push(...this.#followUps(e, 'repeat', now));
        if (route.untilAcked && route.repeatEveryMs) write.timers!.push({ ownerId: id, kind, wakeAt: now + route.repeatEveryMs });
        return;
      }
      // An ack timeout raises the severity, as PagerDuty escalation policies do.
      const next = nextSeverity(e.severity);
      if (!next) return;
      const from = e.severity;
      e.previousSeverity = from;
      e.severity = next;
      this.#o.logger.warn({ escalation: e.id, from, to: next }, `escalation ${e.id} not acknowledged: raised from ${from} to ${next}`);
      write.outbox.push(...this.#followUps(e, 're-escalated', now));
      for (const channel of this.#o.config.severities[next].channels) {
        if (e.channels.some((c) => c.channel === channel)) continue;
        e.channels.push({ channel, delivered: false, attempts: 0, status: 'pending' });
        write.outbox.push(this.#row(e.id, channel, 'firing', now, now));
      }
      write.timers!.push(...this.#timersFor(e, now).filter((t) => t.kind === 'esc-ack' || t.wakeAt !== null));
    }).catch((err) => {
      if ((err as { code?: string }).code !== 'ESCALATION_NOT_FOUND') throw err;
    });
  }

  /** Wakes the outbox sender now. */
  kick(): void {
    if (this.#running) void this.#drain();
  }

  // ---- internals ----

  async #change(id: string, fn: (e: EscalationRecord, write: EscalationWrite, now: number) => void): Promise<EscalationRecord> {
    return this.exclusive(async () => {
      const e = await this.#o.store.getEscalation(id);
      if (!e) throw wardenError('ESCALATION_NOT_FOUND', `no escalation ${id}`);
      const now = this.#o.clock.now();
      const write: EscalationWrite = { records: [], outbox: [], timers: [] };
      const before = JSON.stringify(e);
      fn(e, write, now);
      if (JSON.stringify(e) !== before) {
        e.updatedAt = iso(now);
        write.records.push(e);
      }
      if (write.records.length || write.outbox.length || write.timers!.length) {
        await this.#o.store.writeEscalations(write);
        this.committed(write);
      }
      return e;
    });
  }

  #resolveInto(write: EscalationWrite, e: EscalationRecord, now: number, who: { by?: string; task?: string }): void {
    e.status = 'resolved';
    e.resolvedAt = iso(now);
    if (who.by) e.resolvedBy = who.by;
    if (who.task) e.resolvedByTask = who.task;
    e.updatedAt = iso(now);
    write.records.push(e);
    write.outbox.push(...this.#followUps(e, 'resolved', now));
    write.timers!.push({ ownerId: e.id, kind: 'esc-repeat', wakeAt: null }, { ownerId: e.id, kind: 'esc-ack', wakeAt: null });
  }

  #followUps(e: EscalationRecord, kind: NotificationKind, now: number): OutboxRow[] {
    return e.channels.filter((c) => c.status !== 'failed').map((c) => this.#row(e.id, c.channel, kind, now, now));
  }

  #timersFor(e: EscalationRecord, now: number): NonNullable<EscalationWrite['timers']> {
    const route = this.#o.config.severities[e.severity];
    const timers: NonNullable<EscalationWrite['timers']> = [];
    if (route.repeatEveryMs) timers.push({ ownerId: e.id, kind: 'esc-repeat', wakeAt: now + route.repeatEveryMs });
    timers.push({ ownerId: e.id, kind: 'esc-ack', wakeAt: route.ackTimeoutMs ? now + route.ackTimeoutMs : null });
    return timers;
  }

  #row(escalationId: string, channel: string, kind: NotificationKind, at: number, now: number): OutboxRow {
    return { id: `out_${randomUUID()}`, escalationId, channel, kind, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: now };
  }

  async #drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#again = false;
        const due = (await this.#o.store.dueOutbox(this.#o.clock.now(), 100)).filter((r) => !this.#sending.has(r.id));
        // Rows of one escalation and channel go in order (the first message before its replies).
        const lanes = new Map<string, OutboxRow[]>();
        for (const r of due) {
          const lane = `${r.escalationId}|${r.channel}`;
          lanes.set(lane, [...(lanes.get(lane) ?? []), r]);
        }
        await Promise.all(
          [...lanes.values()].map(async (rows) => {
            for (const r of rows) {
              this.#sending.add(r.id);
              try {
                await this.#deliver(r);
              } finally {
                this.#sending.delete(r.id);
              }
            }
          }),
        );
        if (due.length === 100) this.#again = true;
      } while (this.#again && this.#running);
    } catch (err) {
      this.#o.logger.error({ err: String(err) }, 'escalation sender failed; retrying');
    } finally {
      this.#draining = false;
      await this.#arm();
    }
  }

  async #arm(): Promise<void> {
    if (!this.#running) return;
    const next = await this.#o.store.nextOutboxAt();
    if (next === undefined) return;
    if (this.#armedAt !== undefined && this.#armedAt <= next && this.#timer) return;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    this.#armedAt = next;
    this.#timer = this.#o.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#armedAt = undefined;
        this.kick();
      },
      Math.max(0, next - this.#o.clock.now()),
    );
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const { store, clock } = this.#o;
    const e = await store.getEscalation(row.escalationId);
    if (!e) return;
    const channel = this.#channels.get(row.channel);
    const delivery = e.channels.find((c) => c.channel === row.channel);
    if (!channel || !delivery) return this.#dead(row, `unknown channel ${row.channel}`);
    let parent: DeliveryRef | undefined;
    if (row.kind !== 'firing') {
      if (delivery.status === 'failed') return this.#dead(row, 'the first message of this escalation never reached the channel');
      if (!delivery.ref) {
        // The reply waits for its parent message (a resolved notice always follows a firing one).
        await this.exclusive(() =>
          store.writeEscalations({ records: [], outbox: [{ ...row, nextAttemptAt: clock.now() + PARENT_WAIT_MS }] }),
        );
        return;
      }
      parent = { ref: delivery.ref };
    }
    const facts = await this.#facts(e, row.kind);
    let sent: DeliveryRef;
    try {
      sent = parent ? await channel.followUp(facts, parent) : await channel.send(facts);
    } catch (err) {
      return this.#failed(row, err);
    }
    // The window between a send and its record: a crash here re-sends this one message once.
    failpoint('after-send');
    await this.exclusive(async () => {
      const cur = (await store.getEscalation(row.escalationId)) ?? e;
      const d = cur.channels.find((c) => c.channel === row.channel)!;
      d.attempts += 1;
      if (row.kind === 'firing') {
        d.delivered = true;
        d.status = 'sent';
        d.ref = sent.ref;
        d.sentAt = iso(clock.now());
        delete d.lastError;
      }
      cur.updatedAt = iso(clock.now());
      const write: EscalationWrite = { records: [cur], outbox: [{ ...row, status: 'sent', attempts: row.attempts + 1, ref: sent.ref }] };
      if (row.kind === 'grouped' && cur.count > facts.count && cur.status !== 'resolved') {
        // More failures were grouped while this reply was on its way: they get the next batched reply.
        const waiting = (await store.outboxOf(cur.id)).some(
          (r) => r.id !== row.id && r.status === 'pending' && r.kind === 'grouped' && r.channel === row.channel,
        );
        if (!waiting) write.outbox.push(this.#row(cur.id, row.channel, 'grouped', clock.now() + GROUP_INTERVAL_MS, clock.now()));
      }
      await store.writeEscalations(write);
      this.emit('changed', cur, `${row.kind} sent to ${row.channel}`);
    });
  }

  async #failed(row: OutboxRow, err: unknown): Promise<void> {
    const { store, clock, config } = this.#o;
    const retryable = (err as { retryable?: boolean }).retryable ?? true;
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
    const message = err instanceof Error ? err.message : String(err);
    const attempts = row.attempts + 1;
    await this.exclusive(async () => {
      const e = await store.getEscalation(row.escalationId);
      if (!e) return;
      const now = clock.now();
      const d = e.channels.find((c) => c.channel === row.channel)!;
      d.attempts += 1;
      d.lastError = message;
      const write: EscalationWrite = { records: [e], outbox: [] };
      if (retryable && attempts < config.delivery.maxAttempts) {
        const delay = computeDelay(
          {
            initialDelayMs: config.delivery.initialDelayMs,
            maxDelayMs: config.delivery.maxDelayMs,
            multiplier: 2,
            jitter: 'full',
            errorMultipliers: {},
          },
          { attempt: attempts, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), random: this.#o.random },
        );
        write.outbox.push({ ...row, attempts, nextAttemptAt: now + Math.max(delay, 1), lastError: message });
        this.#o.logger.warn(
          { escalation: e.id, channel: row.channel, attempts, retryable },
          `send to ${row.channel} failed; retrying: ${message}`,
        );
      } else {
        write.outbox.push({ ...row, attempts, status: 'dead', lastError: message });
        this.#o.logger.error({ escalation: e.id, channel: row.channel, attempts }, `send to ${row.channel} gave up: ${message}`);
        if (row.kind === 'firing') {
          d.status = 'failed';
          const next = fallbackChannel(config, e.severity, new Set(e.channels.map((c) => c.channel)));
          if (next) {
            e.channels.push({ channel: next, delivered: false, attempts: 0, status: 'pending', fallbackFor: row.channel });
            write.outbox.push(this.#row(e.id, next, 'firing', now, now));
            this.#again = true; // due now: the sender goes round once more
          }
        }
      }
      e.updatedAt = iso(now);
      await store.writeEscalations(write);
      this.emit('changed', e, `send to ${row.channel} failed`);
    });
  }

  async #dead(row: OutboxRow, why: string): Promise<void> {
    await this.exclusive(() => this.#o.store.writeEscalations({ records: [], outbox: [{ ...row, status: 'dead', lastError: why }] }));
  }

  async #facts(e: EscalationRecord, kind: NotificationKind): Promise<NotificationFacts> {
    const task = e.timeline ? undefined : await this.#o.store.getTask(e.taskId);
    const timeline = e.timeline ?? (await this.#o.store.transitions(e.taskId));
    const base = this.#o.config.dashboardUrl ?? this.publicUrl;
    return {
      escalationId: e.id,
      kind,
      severity: e.severity,
      workflow: e.workflow,
      outcome: e.outcome,
      taskId: e.taskId,
      taskIds: e.taskIds,
      count: e.count,
      errorCodes: e.errorCodes,
      finalErrorCode: e.finalErrorCode,
      agentsTried: e.agentsTried,
      timeline,
      ...(task ? { input: task.input, output: task.output } : {}),
      ...(e.details !== undefined ? { input: e.details } : {}),
      ...(base ? { dashboardUrl: `${base.replace(/\/+$/, '')}/#/tasks/${e.taskId}` } : {}),
      at: iso(this.#o.clock.now()),
      ...(e.ackedBy ? { ackedBy: e.ackedBy } : {}),
      ...(kind === 're-escalated' && e.previousSeverity ? { previousSeverity: e.previousSeverity } : {}),
      ...(kind === 'resolved' && e.resolvedBy ? { resolvedBy: e.resolvedBy } : {}),
    };
  }
}

/** A stable key of an agent plan. */
export function planKey(plan: readonly string[]): string {
  return plan.join('>');
}

/** The API shape of an escalation (CONTRACT.md section 4). */
export function escalationView(e: EscalationRecord) {
  return {
    ...e,
    channels: e.channels.map((c: ChannelDelivery) => ({ ...c })),
  };
}
