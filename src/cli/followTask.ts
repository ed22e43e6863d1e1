/**
 * Follows a task, or a run with every task under it, until it ends: each transition once, in
 * order, as it happens.
 *
 * Transitions come from the event stream (`GET /api/events`), which carries every task's; the
 * follower keeps those of its tree (the task, and for a run its step tasks, the steps of a child
 * run, and so on). A fresh stream starts wherever the server stood when it got to the request,
 * so once its first event is in, what came before is read from `GET /api/tasks/:id/transitions`
 * (and merged as the engine made it, see {@link mergeTimelines}). A task's transitions are
 * numbered (`seq` 1, 2, …), so a gap in the stream shows, and is filled from there too. If the
 * stream cannot be opened, or the task ends without the stream saying so, the follower reads
 * everything over plain requests, as a poller would: slower to show, never missing a line.
 */
import type { Clock } from '../clock/index.js';
import { TERMINAL_STATUSES, type Task, type Transition, type TransitionEvent } from '../lifecycle/types.js';
import { ApiError, type ApiClient } from './client.js';
import { stepRef } from './format.js';
import { mergeTimelines, type TaskTimeline } from './mergeTimelines.js';

/** What the follower needs of the API client. */
export type FollowClient = Pick<ApiClient, 'request' | 'events'>;

/** What the follower reports as it goes. */
export interface FollowListener {
  /**
   * A transition of the followed task (`label` "") or of a task under it (`label` "plan",
   * "build#2", "review#0/lint" for a step of a child run). `forEach` names the `forEach` steps of
   * the run the transition belongs to, for formatting its step notes.
   */
  transition?(label: string, t: Transition, forEach: ReadonlySet<string>): void;
  /** The followed task as last read: first before any transition, then at every poll. */
  state?(task: Task): void;
}

/** How the follower polls. */
export interface FollowOptions {
  /** How often the followed task is read for its state. Defaults to 150 ms. */
  pollMs?: number;
  /**
   * How long the follower waits, after the task has ended, for the stream to bring the last
   * transitions (of the task and of the step tasks a cancel is still stopping), before it reads
   * them itself. Defaults to 2000 ms.
   */
  settleMs?: number;
  /**
   * The timers of the polls; injected so tests need not wait in real time. Defaults to Node's
   * own, which (unlike `systemClock`'s) keep the process alive: between two polls without a
   * stream they are all that does.
   */
  timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

const nodeTimers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The followed task once it has ended. */
export interface FollowResult {
  task: Task;
  /** The task's own transitions. */
  transitions: Transition[];
  /** For a run: its step tasks (not those of its child runs); empty otherwise. */
  stepTasks: Task[];
}

/** Step tasks read per listing; a forEach step may have many. */
const LIST_LIMIT = 1000;

/** A task of the followed tree. */
interface Node {
  readonly id: string;
  readonly label: string;
  /** The run it is a step of; none for the followed task. */
  readonly parent?: Node;
  readonly step?: string;
  readonly index?: number;
  readonly isRun: boolean;
  /** Its transitions so far, by seq: always 1 … n, with no gap. */
  readonly transitions: Transition[];
  /** Its forEach steps, once its timeline has resolved them (a run's). */
  readonly forEach: Set<string>;
  ended: boolean;
}

/**
 * Follows task `id` until it (and, for a run, every task under it) has ended, reporting each
 * transition to `listener` in order, and resolves with the final task.
 * @example
 * const { task } = await followTask(new ApiClient(), runId, { transition: (label, t) => console.log(label, t.event) });
 */
export function followTask(
  client: FollowClient,
  id: string,
  listener: FollowListener = {},
  opts: FollowOptions = {},
): Promise<FollowResult> {
  return new Follower(client, id, listener, opts).run();
}

class Follower {
  readonly #client: FollowClient;
  readonly #rootId: string;
  readonly #listener: FollowListener;
  readonly #pollMs: number;
  readonly #settlePolls: number;
  readonly #timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  readonly #nodes = new Map<string, Node>();
  /** Ids under the root's prefix that turned out not to be in the tree. */
  readonly #strangers = new Set<string>();
  /** Transitions of the tree from the stream, not yet reported. */
  readonly #queue: TransitionEvent[] = [];
  /** Whether a poll interval has passed since the last poll. */
  #pollDue = true;
  #pollTimer: ReturnType<Clock['setTimeout']> | undefined;
  /** Resolves the main loop's wait: news from the stream, a poll due, or the end. */
  #wake: (() => void) | undefined;
  #streaming = false;
  /** Set when a (re)opened stream sends its first event: what came before it is read from the API. */
  #resync = false;

  constructor(client: FollowClient, id: string, listener: FollowListener, opts: FollowOptions) {
    this.#client = client;
    this.#rootId = id;
    this.#listener = listener;
    this.#pollMs = opts.pollMs ?? 150;
    this.#settlePolls = Math.max(1, Math.ceil((opts.settleMs ?? 2000) / this.#pollMs));
    this.#timers = opts.timers ?? nodeTimers;
  }

  async run(): Promise<FollowResult> {
    let task = await this.#get(this.#rootId);
    const root = this.#node(task);
    this.#listener.state?.(task);
    const stop = new AbortController();
    const streaming = this.#stream(stop.signal);
    try {
      await this.#catchUp();
      let pollsSinceEnd = 0;
      for (;;) {
        if (this.#resync) {
          this.#resync = false;
          await this.#catchUp();
        }
        await this.#drain();
        if (root.ended && [...this.#nodes.values()].every((n) => n.ended)) break;
        if (this.#pollDue) {
          this.#armPoll();
          task = await this.#get(this.#rootId);
          this.#listener.state?.(task);
          if (TERMINAL_STATUSES.has(task.status) && ++pollsSinceEnd > this.#settlePolls) {
            await this.#catchUp();
            break;
          }
          // Without the stream, poll: read everything again at each tick.
          if (!this.#streaming) await this.#catchUp();
        }
        await this.#news();
      }
    } finally {
      if (this.#pollTimer !== undefined) this.#timers.clearTimeout(this.#pollTimer);
      stop.abort();
      this.#wakeUp();
      await streaming;
    }
    task = await this.#get(this.#rootId);
    const stepTasks = root.isRun ? await this.#children(this.#rootId) : [];
    return { task, transitions: root.transitions, stepTasks };
  }

  /** Reads the event stream into the queue until `signal` aborts, reopening it where it broke off. */
  async #stream(signal: AbortSignal): Promise<void> {
    let lastEventId: string | undefined;
    while (!signal.aborted) {
      try {
        const events = await this.#client.events({ signal, ...(lastEventId !== undefined ? { lastEventId } : {}) });
        this.#streaming = true;
        let first = lastEventId === undefined;
        for await (const e of events) {
          if (e.event !== 'transition') continue;
          if (e.id !== undefined) lastEventId = e.id;
          if (first) {
            // A fresh stream starts wherever the server stood when it got to it, possibly well
            // after the follower's first reads; from its first event on, the stream is complete,
            // and one more read of the API now covers everything before it.
            first = false;
            this.#resync = true;
            this.#wakeUp();
          }
          const t = JSON.parse(e.data) as TransitionEvent;
          // Other tasks' news neither queues nor wakes anything: a busy Warden streams plenty.
          if (t.taskId !== this.#rootId && !t.taskId.startsWith(`${this.#rootId}.`)) continue;
          this.#queue.push(t);
          this.#wakeUp();
        }
      } catch {
        // A refused or broken stream: the polling in run() carries on meanwhile.
      }
      this.#streaming = false;
      if (!signal.aborted) await this.#retryPause(signal);
    }
  }

  /** Reports the queued stream events of the tree, filling any gap from the API. */
  async #drain(): Promise<void> {
    for (let e = this.#queue.shift(); e; e = this.#queue.shift()) {
      const node = await this.#resolve(e.taskId);
      if (!node || e.seq <= node.transitions.length) continue;
      if (e.seq === node.transitions.length + 1) {
        const { taskId: _t, workflow: _w, eventId: _e, ...t } = e;
        this.#report(node, t);
      } else {
        for (const t of await this.#transitions(node.id)) if (t.seq > node.transitions.length) this.#report(node, t);
      }
    }
  }

  /** Reads the whole tree and reports every transition not reported yet, in the order they were made. */
  async #catchUp(): Promise<void> {
    const root = this.#nodes.get(this.#rootId)!;
    if (root.isRun) await this.#discover(root);
    const timelines = new Map<Node, { parent?: TaskTimeline; step?: string; index?: number; transitions: Transition[] }>();
    for (const node of this.#nodes.values()) {
      const parent = node.parent && timelines.get(node.parent);
      // An ended task's timeline is complete: its final transition was reported after all the others.
      const fresh = node.ended ? [] : (await this.#transitions(node.id)).filter((t) => t.seq > node.transitions.length);
      timelines.set(node, {
        ...(parent ? { parent } : {}),
        ...(node.step !== undefined ? { step: node.step } : {}),
        ...(node.index !== undefined ? { index: node.index } : {}),
        transitions: fresh,
      });
    }
    const nodeOf = new Map([...timelines].map(([node, timeline]) => [timeline as TaskTimeline, node]));
    for (const { timeline, transition } of mergeTimelines([...timelines.values()])) {
      const node = nodeOf.get(timeline)!;
      if (transition.seq === node.transitions.length + 1) this.#report(node, transition);
    }
  }

  /** Adds the step tasks under run `parent`, and theirs, to the tree. */
  async #discover(parent: Node): Promise<void> {
    // Oldest first (the listing is newest first), so tasks created together keep their item order.
    const children = (await this.#children(parent.id)).sort((a, b) => cmp(a.createdAt, b.createdAt) || (a.index ?? 0) - (b.index ?? 0));
    for (const task of children) {
      const node = this.#nodes.get(task.id) ?? this.#node(task, parent);
      if (node.isRun) await this.#discover(node);
    }
  }

  /** The node of a task under the root, read from the API when new; undefined if it is not in the tree. */
  async #resolve(id: string): Promise<Node | undefined> {
    const known = this.#nodes.get(id);
    if (known || this.#strangers.has(id)) return known;
    const task = await this.#get(id).catch((err: unknown) => {
      // Gone already (pruned, say): nothing of it to show.
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    });
    if (!task) {
      this.#strangers.add(id);
      return undefined;
    }
    const parent = task.parentId !== undefined && task.parentId !== id ? await this.#resolve(task.parentId) : undefined;
    if (!parent) {
      this.#strangers.add(id);
      return undefined;
    }
    return this.#node(task, parent);
  }

  /** Adds a task to the tree, under `parent` (none for the followed task). */
  #node(task: Task, parent?: Node): Node {
    const ref = stepRef(task.step ?? task.id, task.index);
    const node: Node = {
      id: task.id,
      label: !parent ? '' : parent.label ? `${parent.label}/${ref}` : ref,
      ...(parent ? { parent } : {}),
      ...(task.step !== undefined ? { step: task.step } : {}),
      ...(task.index !== undefined ? { index: task.index } : {}),
      isRun: task.kind === 'run',
      transitions: [],
      forEach: new Set(),
      ended: false,
    };
    this.#nodes.set(task.id, node);
    return node;
  }

  #report(node: Node, t: Transition): void {
    node.transitions.push(t);
    if (t.detail?.step !== undefined && t.detail.items !== undefined) node.forEach.add(t.detail.step);
    // The task and run machines name their final states after the final statuses.
    if (TERMINAL_STATUSES.has(t.to as Task['status'])) node.ended = true;
    this.#listener.transition?.(node.label, t, node.forEach);
  }

  /** Starts the next poll interval. */
  #armPoll(): void {
    this.#pollDue = false;
    this.#pollTimer = this.#timers.setTimeout(() => {
      this.#pollDue = true;
      this.#wakeUp();
    }, this.#pollMs);
  }

  /** Waits for stream news or a due poll, whichever comes first. */
  async #news(): Promise<void> {
    if (this.#queue.length || this.#pollDue || this.#resync) return;
    await new Promise<void>((resolve) => (this.#wake = resolve));
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Waits before reopening a broken stream; the end cuts it short. */
  #retryPause(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#timers.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.#timers.setTimeout(done, this.#pollMs * 5);
      signal.addEventListener('abort', done);
    });
  }

  #get(id: string): Promise<Task> {
    return this.#client.request<Task>('GET', `/api/tasks/${encodeURIComponent(id)}`);
  }

  async #transitions(id: string): Promise<Transition[]> {
    return (await this.#client.request<{ transitions: Transition[] }>('GET', `/api/tasks/${encodeURIComponent(id)}/transitions`))
      .transitions;
  }

  async #children(id: string): Promise<Task[]> {
    const q = new URLSearchParams({ parent: id, limit: String(LIST_LIMIT) });
    return (await this.#client.request<{ tasks: Task[] }>('GET', `/api/tasks?${q}`)).tasks;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
