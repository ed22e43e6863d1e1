import { TERMINAL_STATUSES, type Transition, type TransitionEvent } from '../lifecycle/types.js';
import { MinHeap } from './MinHeap.js';
import type { EscalationRecord, EscalationWrite, OutboxRow } from '../escalation/types.js';
import { noCounts, type PrunableStatus, type PruneBatch, type PruneBefore, type PruneLimits } from './Prune.js';
import {
  type BreakerRecord,
  childIdRange,
  type EscalationFilter,
  type StepCommit,
  type Store,
  type TaskFilter,
  type TaskRecord,
  type TimerKind,
  type TimerRow,
} from './Store.js';

/**
 * The `memory:` store: everything in process memory, nothing survives a restart.
 * For tests, drills and benchmarks. Rows are copied in and out so callers can't alias them.
 *
 * Task rows are kept as JSON text, as the SQLite store keeps them: a step writes far more often
 * than anything reads, and `JSON.stringify` costs a third of a `structuredClone` (which was a
 * fifth of the engine's CPU on this store; see docs/benchmarks.md). Values a JSON column could
 * not hold (undefined fields, Dates) come back as the SQLite store would return them.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  #tasks = new Map<string, TaskRow>();
  /** Task ids in insertion order, and each one's place in it (which pruning's cursor names). */
  #order: string[] = [];
  #pos = new Map<string, number>();
  #nextPos = 0;
  #transitions = new Map<string, Transition[]>();
  #stream: TransitionEvent[] = [];
  #streamId = 0;
  #idem = new Map<string, string>();
  #timers = new Map<string, number>();
  #heap = new MinHeap<string>();
  #breakers = new Map<string, BreakerRecord>();
  #escalations = new Map<string, EscalationRecord>();
  #outbox = new Map<string, OutboxRow>();

  async init(): Promise<void> {}

  async createTask(task: TaskRecord, first: Transition, timers?: StepCommit['timers']) {
    if (this.#tasks.has(task.id)) throw new Error(`task ${task.id} already exists`);
    if (task.idempotencyKey !== undefined) {
      const existing = this.#idem.get(task.idempotencyKey);
      if (existing) return { task: parseRow(this.#tasks.get(existing)!), created: false };
      this.#idem.set(task.idempotencyKey, task.id);
    }
    const row = toRow(task);
    this.#tasks.set(task.id, row);
    this.#order.push(task.id);
    this.#pos.set(task.id, this.#nextPos++);
    this.#transitions.set(task.id, []);
    this.#append(task, [first]);
    this.#applyTimers(task.id, timers);
    return { task: parseRow(row), created: true };
  }

  async commit(step: StepCommit): Promise<number[]> {
    const { task } = step;
    if (!this.#tasks.has(task.id)) throw new Error(`no task ${task.id}`);
    this.#tasks.set(task.id, toRow(task));
    this.#applyTimers(task.id, step.timers);
    if (step.escalation) this.#writeEscalations(step.escalation);
    const ids = this.#append(task, step.transitions);
    for (const c of step.create ?? []) if (!this.#tasks.has(c.task.id)) await this.createTask(c.task, c.first, c.timers);
    return ids;
  }

  async writeEscalations(write: EscalationWrite): Promise<void> {
    this.#writeEscalations(write);
  }

  async getEscalation(id: string) {
    const e = this.#escalations.get(id);
    return e ? clone(e) : undefined;
  }

  async listEscalations(filter: EscalationFilter = {}) {
    const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat());
    return [...this.#escalations.values()]
      .filter((e) => !statuses || statuses.has(e.status))
      .reverse()
      .slice(0, filter.limit ?? 100)
      .map(clone);
  }

  async findOpenEscalation(fingerprint: string, since: number) {
    const found = [...this.#escalations.values()]
      .reverse()
      .find((e) => e.fingerprint === fingerprint && e.status !== 'resolved' && Date.parse(e.createdAt) >= since);
    return found ? clone(found) : undefined;
  }

  async findUnresolved(workflow: string, planKey: string) {
    return [...this.#escalations.values()]
      .filter((e) => e.workflow === workflow && e.planKey === planKey && e.status !== 'resolved')
      .map(clone);
  }

  async dueOutbox(now: number, limit: number) {
    return [...this.#outbox.values()]
      .filter((r) => r.status === 'pending' && r.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
      .slice(0, limit)
      .map(clone);
  }

  async nextOutboxAt() {
    let min: number | undefined;
    for (const r of this.#outbox.values())
      if (r.status === 'pending' && (min === undefined || r.nextAttemptAt < min)) min = r.nextAttemptAt;
    return min;
  }

  async outboxOf(escalationId: string) {
    return [...this.#outbox.values()].filter((r) => r.escalationId === escalationId).map(clone);
  }

  #writeEscalations(write: EscalationWrite): void {
    for (const r of write.records) {
      // Map.set on an existing key keeps its place, so iteration order stays creation order.
      this.#escalations.set(r.id, clone(r));
    }
    for (const o of write.outbox) this.#outbox.set(o.id, clone(o));
    for (const t of write.timers ?? []) this.#applyTimers(t.ownerId, [{ kind: t.kind, wakeAt: t.wakeAt }]);
  }

  async getTask(id: string) {
    const t = this.#tasks.get(id);
    return t ? parseRow(t) : undefined;
  }

  async listTasks(filter: TaskFilter = {}) {
    const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat());
    const limit = filter.limit ?? 100;
    const out: TaskRecord[] = [];
    for (let i = this.#order.length - 1; i >= 0 && out.length < limit; i--) {
      const t = this.#tasks.get(this.#order[i]!)!;
      if (statuses && !statuses.has(t.status)) continue;
      if (filter.workflow !== undefined && t.workflow !== filter.workflow) continue;
      if (filter.topLevel && this.#order[i]!.includes('.')) continue;
      if (filter.idPrefix !== undefined && !this.#order[i]!.startsWith(filter.idPrefix)) continue;
      const rec = parseRow(t);
      if (filter.parent !== undefined && rec.parentId !== filter.parent) continue;
      out.push(rec);
    }
    return out;
  }

  async transitions(taskId: string) {
    return clone(this.#transitions.get(taskId) ?? []);
  }

  async transitionsSince(afterId: number, limit = 1000) {
    // Stream ids increase along the array, with gaps where tasks were pruned: bisect for the start.
    const start = bisect(this.#stream.length, (i) => this.#stream[i]!.eventId! > afterId);
    return clone(this.#stream.slice(start, start + Math.max(0, limit)));
  }

  async nonTerminalTasks() {
    return [...this.#tasks.values()].filter((t) => !TERMINAL_STATUSES.has(t.status)).map(parseRow);
  }

  async nextTimerAt() {
    this.#dropStale();
    return this.#heap.peek()?.key;
  }

  async dueTimers(now: number, limit: number): Promise<TimerRow[]> {
    // Lazy deletion: heap entries whose timer was cleared or moved are skipped as they surface.
    const due: TimerRow[] = [];
    const seen: { key: number; value: string }[] = [];
    // A timer set to the same time twice has two heap entries; it is due once.
    const taken = new Set<string>();
    while (due.length < limit) {
      const top = this.#heap.peek();
      if (!top || top.key > now) break;
      this.#heap.pop();
      if (this.#timers.get(top.value) !== top.key || taken.has(top.value)) continue;
      taken.add(top.value);
      seen.push(top);
      const sep = top.value.lastIndexOf(':');
      due.push({ taskId: top.value.slice(0, sep), kind: top.value.slice(sep + 1) as TimerKind, wakeAt: top.key });
    }
    // Due timers stay pending until a step clears them.
    for (const s of seen) this.#heap.push(s.key, s.value);
    return due;
  }

  async saveBreaker(agent: string, snapshot: unknown, at: number) {
    this.#breakers.set(agent, { agent, snapshot: clone(snapshot), updatedAt: at });
  }

  async loadBreakers() {
    return [...this.#breakers.values()].map(clone);
  }

  async prune(before: PruneBefore, limits: PruneLimits): Promise<PruneBatch> {
    const counts = noCounts();
    const dry = limits.dryRun === true;
    const [phase, from] = limits.after?.split(':') ?? ['t', '-1'];
    if (phase === 't') {
      const gone = new Set<string>();
      let i = bisect(this.#order.length, (k) => this.#pos.get(this.#order[k]!)! > Number(from));
      let last = Number(from);
      for (; i < this.#order.length && counts.tasks < limits.batch; i++) {
        const id = this.#order[i]!;
        if (gone.has(id)) continue;
        if (id.includes('.')) {
          last = this.#pos.get(id)!;
          continue;
        }
        const rec = parseRow(this.#tasks.get(id)!);
        const cutoff = before.tasks[rec.status as PrunableStatus];
        if (cutoff === undefined || !(Date.parse(rec.updatedAt) < cutoff) || this.#escalationOpen(rec)) {
          last = this.#pos.get(id)!;
          continue;
        }
        const unit = rec.kind === 'run' ? [...this.#descendants(id), id] : [id];
        if (unit.some((u) => !TERMINAL_STATUSES.has(this.#tasks.get(u)!.status))) {
          last = this.#pos.get(id)!;
          continue;
        }
        if (counts.tasks > 0 && counts.tasks + unit.length > limits.batch) break;
        for (const u of unit) {
          counts.tasks++;
          counts.transitions += this.#transitions.get(u)!.length;
          counts.attempts += parseRow(this.#tasks.get(u)!).attempts.length;
          gone.add(u);
        }
        last = this.#pos.get(id)!;
      }
      if (!dry && gone.size) this.#dropTasks(gone);
      const more = this.#order.some((id) => this.#pos.get(id)! > last);
      if (more) return { ...counts, next: `t:${last}` };
      if (before.escalations === undefined) return counts;
      return { ...counts, next: 'e:0' };
    }
    // Escalations: `from` counts those kept so far; the deleted ones are gone from the map.
    const all = [...this.#escalations.values()];
    let kept = Number(from);
    const cutoff = before.escalations ?? -Infinity;
    let i = kept;
    for (; i < all.length && counts.escalations < limits.batch; i++) {
      const e = all[i]!;
      if (e.status !== 'resolved' || !(Date.parse(e.updatedAt) < cutoff)) {
        kept++;
        continue;
      }
      counts.escalations++;
      counts.outbox += [...this.#outbox.values()].filter((o) => o.escalationId === e.id).length;
      if (dry) kept++;
      else this.#dropEscalation(e.id);
    }
    return i < all.length ? { ...counts, next: `e:${kept}` } : counts;
  }

  async close() {}

  /** Live counts, for tests and the bench. */
  stats() {
    return { tasks: this.#tasks.size, timers: this.#timers.size };
  }

  #append(task: TaskRecord, transitions: readonly Transition[]): number[] {
    const list = this.#transitions.get(task.id)!;
    const ids: number[] = [];
    for (const t of transitions) {
      // One copy serves both lists: rows are copied again on the way out.
      const copy = JSON.parse(JSON.stringify(t)) as Transition;
      list.push(copy);
      const eventId = ++this.#streamId;
      this.#stream.push({ ...copy, taskId: task.id, workflow: task.workflow, eventId });
      ids.push(eventId);
    }
    return ids;
  }

  #applyTimers(taskId: string, timers: StepCommit['timers']) {
    for (const t of timers ?? []) {
      const key = `${taskId}:${t.kind}`;
      if (t.wakeAt === null) this.#timers.delete(key);
      else {
        this.#timers.set(key, t.wakeAt);
        this.#heap.push(t.wakeAt, key);
      }
    }
  }

  /** The ids of a run's step tasks, its steps' steps included. */
  #descendants(runId: string): string[] {
    const [from, to] = childIdRange(runId);
    return this.#order.filter((id) => id > from && id < to);
  }

  #escalationOpen(rec: TaskRecord): boolean {
    return rec.escalationIds.some((id) => {
      const e = this.#escalations.get(id);
      return e !== undefined && e.status !== 'resolved';
    });
  }

  #dropTasks(ids: ReadonlySet<string>): void {
    for (const [key, id] of this.#idem) if (ids.has(id)) this.#idem.delete(key);
    for (const id of ids) {
      this.#tasks.delete(id);
      this.#pos.delete(id);
      this.#transitions.delete(id);
      this.#timers.delete(`${id}:wake`);
      this.#timers.delete(`${id}:deadline`);
    }
    this.#order = this.#order.filter((id) => !ids.has(id));
    this.#stream = this.#stream.filter((e) => !ids.has(e.taskId));
  }

  #dropEscalation(id: string): void {
    this.#escalations.delete(id);
    for (const [key, row] of this.#outbox) if (row.escalationId === id) this.#outbox.delete(key);
    this.#timers.delete(`${id}:esc-repeat`);
    this.#timers.delete(`${id}:esc-ack`);
  }

  #dropStale() {
    for (let top = this.#heap.peek(); top && this.#timers.get(top.value) !== top.key; top = this.#heap.peek()) this.#heap.pop();
  }
}

/** The first index in [0, n) at which `past` holds, given that it holds from some index on. */
function bisect(n: number, past: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// structuredClone keeps rows independent of the caller's objects, as a real database would.
const clone = <T>(v: T): T => structuredClone(v);

/** A task row: the JSON of the record, and the fields listings filter on. */
interface TaskRow {
  status: TaskRecord['status'];
  workflow: string;
  json: string;
}

const toRow = (task: TaskRecord): TaskRow => ({ status: task.status, workflow: task.workflow, json: JSON.stringify(task) });
const parseRow = (row: TaskRow): TaskRecord => JSON.parse(row.json) as TaskRecord;
