/**
 * The outbox sender: delivers due outbox rows to their channels, with retries and fallback.
 * @internal
 */
import type { Clock, TimerHandle } from '../clock/index.js';
import { iso } from '../clock/iso.js';
import type { EscalationConfig } from '../config/index.js';
import type { Logger } from '../lifecycle/logger.js';
import { computeDelay } from '../policies/index.js';
import type { Store } from '../store/Store.js';
import type { Channel, DeliveryRef } from './channels/Channel.js';
import { failpoint } from './failpoint.js';
import { notificationFacts } from './notificationFacts.js';
import { GROUP_INTERVAL_MS, outboxRow } from './outboxRow.js';
import { fallbackChannel } from './router.js';
import type { EscalationRecord, EscalationWrite, OutboxRow } from './types.js';

/** How long a follow-up waits for its first message to be sent before it checks again. */
const PARENT_WAIT_MS = 1_000;
/** Rows read per round; a full round means more may be due, so the sender goes round again. */
const BATCH = 100;

/** What the sender needs from the escalation service. */
export interface OutboxSenderOptions {
  config: EscalationConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  random: () => number;
  channels: ReadonlyMap<string, Channel>;
  /** The service's lock on escalation records: every read-modify-write of a record runs in it. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Reports a change to an escalation (the service's `changed` event). */
  changed: (record: EscalationRecord, what: string) => void;
  /** The dashboard's base URL for links, when the config names none. */
  publicUrl: () => string | undefined;
}

/**
 * Sends what the outbox holds: the due rows, oldest first, with the rows of one escalation and
 * channel in order (the first message before its replies). A failed send is retried with
 * backoff; a first message that gives up moves to the next channel of its severity. Between
 * rounds it sleeps on the clock until the next row is due, or until {@link kick}.
 *
 * Delivery is at least once: a crash between a send and its record re-sends that one message.
 * @internal
 */
export class OutboxSender {
  readonly #o: OutboxSenderOptions;
  readonly #sending = new Set<string>();
  #timer: TimerHandle | undefined;
  #armedAt: number | undefined;
  #draining = false;
  #again = false;
  #running = false;

  constructor(o: OutboxSenderOptions) {
    this.#o = o;
  }

  /** Whether the row is being sent right now (its send may already have read the escalation). */
  isSending(rowId: string): boolean {
    return this.#sending.has(rowId);
  }

  /** Starts or stops sending. */
  setRunning(on: boolean): void {
    this.#running = on;
    if (on) this.kick();
    else if (this.#timer) {
      this.#o.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedAt = undefined;
    }
  }

  /** Stops sending; a send in flight finishes. */
  stop(): void {
    this.#running = false;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
  }

  /** Sends what is due now, if running. */
  kick(): void {
    if (this.#running) void this.#drain();
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
        const due = (await this.#o.store.dueOutbox(this.#o.clock.now(), BATCH)).filter((r) => !this.#sending.has(r.id));
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
        if (due.length === BATCH) this.#again = true;
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
    const { store, clock, exclusive } = this.#o;
    const e = await store.getEscalation(row.escalationId);
    if (!e) return;
    const channel = this.#o.channels.get(row.channel);
    const delivery = e.channels.find((c) => c.channel === row.channel);
    if (!channel || !delivery) return this.#dead(row, `unknown channel ${row.channel}`);
    let parent: DeliveryRef | undefined;
    if (row.kind !== 'firing') {
      if (delivery.status === 'failed') return this.#dead(row, 'the first message of this escalation never reached the channel');
      if (!delivery.ref) {
        // The reply waits for its parent message (a resolved notice always follows a firing one).
        await exclusive(() => store.writeEscalations({ records: [], outbox: [{ ...row, nextAttemptAt: clock.now() + PARENT_WAIT_MS }] }));
        return;
      }
      parent = { ref: delivery.ref };
    }
    const facts = await notificationFacts(store, clock, e, row.kind, this.#o.config.dashboardUrl ?? this.#o.publicUrl());
    let sent: DeliveryRef;
    try {
      sent = parent ? await channel.followUp(facts, parent) : await channel.send(facts);
    } catch (err) {
      return this.#failed(row, err);
    }
    // The window between a send and its record: a crash here re-sends this one message once.
    failpoint('after-send');
    await exclusive(async () => {
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
        if (!waiting) write.outbox.push(outboxRow(cur.id, row.channel, 'grouped', clock.now() + GROUP_INTERVAL_MS, clock.now()));
      }
      await store.writeEscalations(write);
      this.#o.changed(cur, `${row.kind} sent to ${row.channel}`);
    });
  }

  async #failed(row: OutboxRow, err: unknown): Promise<void> {
    const { store, clock, config } = this.#o;
    const retryable = (err as { retryable?: boolean }).retryable ?? true;
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
    const message = err instanceof Error ? err.message : String(err);
    const attempts = row.attempts + 1;
    await this.#o.exclusive(async () => {
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
            write.outbox.push(outboxRow(e.id, next, 'firing', now, now));
            this.#again = true; // due now: the sender goes round once more
          }
        }
      }
      e.updatedAt = iso(now);
      await store.writeEscalations(write);
      this.#o.changed(e, `send to ${row.channel} failed`);
    });
  }

  async #dead(row: OutboxRow, why: string): Promise<void> {
    await this.#o.exclusive(() => this.#o.store.writeEscalations({ records: [], outbox: [{ ...row, status: 'dead', lastError: why }] }));
  }
}
