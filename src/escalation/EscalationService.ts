/**
 * The escalation service: from degraded and failed tasks to humans, and back when they act.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock/index.js';
import { iso } from '../clock/iso.js';
import type { EscalationConfig } from '../config/index.js';
import { wardenError } from '../errors/index.js';
import type { EscalationEvent } from '../lifecycle/events.js';
import type { Logger } from '../lifecycle/logger.js';
import type { Store, TaskRecord } from '../store/Store.js';
import type { Channel, DeliveryRef } from './channels/Channel.js';
import { type ChannelHealth, ChannelMonitor } from './channels/ChannelMonitor.js';
import { createChannel } from './channels/createChannel.js';
import { clearTimers, timerFired, timersFor } from './escalationTimers.js';
import { groupIncident, type IncidentInput, openIncident } from './incidents.js';
import { newEscalation } from './newEscalation.js';
import { followUps, groupedReplies, outboxRow } from './outboxRow.js';
import { OutboxSender } from './OutboxSender.js';
import { planKey } from './planKey.js';
import { createRedactor } from './redact.js';
import { routeChannels } from './router.js';
import type { EscalationRecord, EscalationTimerKind, EscalationWrite } from './types.js';

export { escalationView } from './escalationView.js';
export type { IncidentInput } from './incidents.js';
export { planKey } from './planKey.js';

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

/** What a test notification answered (`POST /api/channels/:name/test`). */
export interface ChannelTestResult {
  channel: string;
  type: Channel['type'];
  /** Where the message can be found: the Slack `channel:ts`, the email's Message-ID, `log:test:<time>`. */
  ref: string;
  /** When it was sent, on the engine clock (ISO 8601). */
  sentAt: string;
}

const MAX_TASK_IDS = 100;

/**
 * Turns degraded and failed tasks into escalations and gets them to humans: routing by
 * severity, dedup by fingerprint, a durable outbox with retries and channel fallback (the
 * {@link OutboxSender}), ack, repeats, re-escalation on ack timeout and resolved notices.
 *
 * Every change to an escalation, its outbox rows and its timers is written in one transaction.
 * A task's escalation is written in the task's final step, so a crash can never leave a failed
 * task without its escalation.
 */
export class EscalationService extends EventEmitter<EscalationServiceEvents> {
  readonly #o: EscalationServiceOptions;
  readonly #channels = new Map<string, Channel>();
  readonly #monitor: ChannelMonitor;
  readonly #sender: OutboxSender;
  #lock: Promise<unknown> = Promise.resolve();
  /** workflow|planKey of unresolved escalations, so a success costs no store read when there is nothing to resolve. */
  readonly #unresolved = new Set<string>();
  /** The dashboard's base URL, for links in notifications. */
  publicUrl: string | undefined;

  constructor(o: EscalationServiceOptions) {
    super();
    this.#o = o;
    const redact = createRedactor(o.secrets);
    this.#monitor = new ChannelMonitor(o.clock);
    for (const [name, cfg] of Object.entries(o.config.channels)) {
      const channel = createChannel(name, cfg, { env: o.env, redact, maxFieldChars: o.config.maxFieldChars, logger: o.logger });
      // every use of a channel (sends, checks, tests) goes through the monitor, so its health is always the latest outcome
      this.#channels.set(name, this.#monitor.watch(channel));
    }
    this.#sender = new OutboxSender({
      config: o.config,
      store: o.store,
      clock: o.clock,
      logger: o.logger,
      random: o.random,
      channels: this.#channels,
      exclusive: (fn) => this.exclusive(fn),
      changed: (record, what) => this.emit('changed', record, what),
      publicUrl: () => this.publicUrl,
    });
  }

  /** The configured channels, by name. */
  get channels(): ReadonlyMap<string, Channel> {
    return this.#channels;
  }

  /** Each channel's health, from its last verification, send or test, in config order. */
  channelHealth(): ChannelHealth[] {
    return this.#monitor.health();
  }

  /**
   * Verifies every channel now (Slack `auth.test`, SMTP `verify`; the log channel needs none) and
   * logs the outcome of each: what `warden serve` does at start. Never rejects: a channel that
   * cannot be reached is logged and shown in `/api/health`, and the engine runs on.
   */
  async verifyChannels(): Promise<ChannelHealth[]> {
    const { logger } = this.#o;
    await Promise.all(
      [...this.#channels.values()]
        .filter((c) => c.type !== 'log')
        .map(async (c) => {
          try {
            await c.verify();
            logger.info({ channel: c.name, type: c.type }, `channel ${c.name} verified`);
          } catch (err) {
            const code = (err as { code?: unknown }).code;
            const message = err instanceof Error ? err.message : String(err);
            logger.warn({ channel: c.name, type: c.type, code }, `channel ${c.name} cannot be used: ${message}`);
          }
        }),
    );
    return this.channelHealth();
  }

  /**
   * Sends a test notification to channel `name`, which says it is a test and that nothing failed.
   * @throws WardenError CHANNEL_NOT_FOUND for a name the config does not have; the channel's own
   * ChannelError (`CHANNEL_UNREACHABLE`, `CHANNEL_AUTH`, …) when the send fails.
   */
  async testChannel(name: string, by = 'api'): Promise<ChannelTestResult> {
    const channel = this.#channels.get(name);
    if (!channel) {
      const known = [...this.#channels.keys()].join(', ') || 'none';
      throw wardenError('CHANNEL_NOT_FOUND', `no escalation channel "${name}" (configured: ${known})`);
    }
    const at = iso(this.#o.clock.now());
    const { ref }: DeliveryRef = await channel.sendTest({ channel: name, at, by });
    this.#o.logger.info({ channel: name, by, ref }, `test notification sent to ${name}`);
    return { channel: name, type: channel.type, ref, sentAt: at };
  }

  /** Loads what it needs; with `send` (the default) also starts the outbox sender. */
  async start(opts: { send?: boolean } = {}): Promise<void> {
    for (const e of await this.#o.store.listEscalations({ status: ['open', 'acknowledged'], limit: 100_000 }))
      this.#unresolved.add(`${e.workflow}|${e.planKey}`);
    this.setSending(opts.send ?? true);
  }

  /** Starts or stops the outbox sender. In distributed mode only the leader sends. */
  setSending(on: boolean): void {
    this.#sender.setRunning(on);
  }

  async stop(): Promise<void> {
    this.#sender.stop();
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
          .filter((r) => r.status === 'pending' && r.kind === 'grouped' && !this.#sender.isSending(r.id))
          .map((r) => r.channel),
      );
      return { id: existing.id, write: { records: [existing], outbox: groupedReplies(existing, pending, now) } };
    }
    const channels = routeChannels(config, {
      workflow: ev.workflow,
      severity: ev.severity,
      finalErrorCode: ev.finalErrorCode,
      agentsTried: ev.agentsTried,
    });
    const record = newEscalation(
      {
        fingerprint: ev.fingerprint,
        workflow: ev.workflow,
        planKey: planKey(task.plan),
        severity: ev.severity,
        outcome: ev.status,
        taskId: task.id,
        taskIds: [task.id],
        errorCodes: ev.errorCodes,
        finalErrorCode: ev.finalErrorCode,
        agentsTried: ev.agentsTried,
      },
      channels,
      now,
    );
    const { id } = record;
    if (!channels.length)
      this.#o.logger.warn({ escalation: id, taskId: task.id, severity: ev.severity }, `${ev.severity} escalation ${id}: log only`);
    return {
      id,
      write: {
        records: [record],
        outbox: channels.map((c) => outboxRow(id, c, 'firing', now, now)),
        timers: timersFor(config, record, now),
      },
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
      const { store, config, logger } = this.#o;
      const existing = await store.findOpenEscalation(input.key, 0);
      let write: EscalationWrite;
      if (existing) {
        const pending = new Set(
          (await store.outboxOf(existing.id)).filter((r) => r.status === 'pending' && r.kind === 'grouped').map((r) => r.channel),
        );
        write = groupIncident(existing, input, pending, now);
      } else {
        write = openIncident(config, input, now);
        logger.warn({ escalation: write.records[0]!.id, source: input.source, severity: input.severity, code: input.code }, input.summary);
      }
      await store.writeEscalations(write);
      this.committed(write);
      return write.records[0]!;
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
      write.timers!.push(...clearTimers(e.id));
      write.outbox.push(...followUps(e, 'acknowledged', now));
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
    await this.#change(id, (e, write, now) => timerFired(this.#o.config, this.#o.logger, e, kind, write, now)).catch((err) => {
      if ((err as { code?: string }).code !== 'ESCALATION_NOT_FOUND') throw err;
    });
  }

  /** Wakes the outbox sender now. */
  kick(): void {
    this.#sender.kick();
  }

  /** Reads escalation `id`, lets `fn` change it and add to its write, and commits what changed. */
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
    write.outbox.push(...followUps(e, 'resolved', now));
    write.timers!.push(...clearTimers(e.id));
  }
}
