/**
 * A scripted stand-in for the Warden API, for the CLI's unit tests: tasks, their transitions and
 * the event stream, with no server and no clock. The world moves one scripted step each time the
 * watched task is read, which is what a follower does once per poll, so a test decides exactly
 * what has happened by the time of each read. Not part of the build.
 * @internal
 */
import type { Task, Transition, TransitionEvent } from '../lifecycle/types.js';
import { ApiError } from './client.js';
import type { SseMessage } from './sse.js';

const BASE = Date.parse('2025-01-31T12:00:00.000Z');

/** A task with every required field, overridden by `fields`. */
export function fakeTask(fields: Partial<Task> & { id: string }): Task {
  const at = new Date(BASE).toISOString();
  return {
    workflow: 'wf',
    status: 'queued',
    state: 'queued',
    input: null,
    attempts: [],
    escalationIds: [],
    plan: [],
    deadlineAt: new Date(BASE + 3_600_000).toISOString(),
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

/** A transition to commit: `to` and `event`, and whatever else it carries. */
export type FakeTransition = Partial<Transition> & Pick<Transition, 'to' | 'event'>;

/** The scripted API. */
export class FakeApi {
  readonly #tasks = new Map<string, Task>();
  readonly #timelines = new Map<string, Transition[]>();
  readonly #streams = new Set<(m: SseMessage) => void>();
  #eventId = 0;
  #ms = 0;
  /** Steps of the world, one applied before each read of `watched`. */
  readonly script: (() => void)[] = [];
  /** The task whose reads move the script on. */
  watched: string | undefined;
  /** The id `POST /api/tasks` answers with. */
  submitId = 'task-1';
  /** When true, `GET /api/events` answers 404. */
  refuseStream = false;
  /** Transitions the stream leaves out (the API still lists them). */
  dropFromStream: (e: TransitionEvent) => boolean = () => false;
  /** How far the clock moves with each commit; 0 gives transitions the same time, as a fast engine does. */
  msPerCommit = 10;
  /** Every request, as "METHOD path". */
  readonly requests: string[] = [];

  /** Creates a task (with no transitions yet). */
  add(fields: Partial<Task> & { id: string }): this {
    this.#tasks.set(fields.id, fakeTask(fields));
    this.#timelines.set(fields.id, []);
    return this;
  }

  /** Records a transition of a task, changes the task's fields, and sends it on the open streams. */
  commit(id: string, t: FakeTransition, fields: Partial<Task> = {}): this {
    const task = this.#tasks.get(id)!;
    const timeline = this.#timelines.get(id)!;
    const at = new Date(BASE + (this.#ms += this.msPerCommit)).toISOString();
    const transition: Transition = { seq: timeline.length + 1, at, from: timeline.at(-1)?.to ?? null, ...t };
    timeline.push(transition);
    const status = (['queued', 'completed', 'degraded', 'failed', 'cancelled'] as const).find((s) => s === t.to);
    this.#tasks.set(id, { ...task, status: status ?? 'running', state: t.to, updatedAt: at, ...fields });
    const event: TransitionEvent = { ...transition, taskId: id, workflow: task.workflow, eventId: ++this.#eventId };
    if (!this.dropFromStream(event)) {
      for (const send of this.#streams) send({ event: 'transition', id: String(event.eventId), data: JSON.stringify(event) });
    }
    return this;
  }

  /** Changes a task's fields without a transition. */
  patch(id: string, fields: Partial<Task>): this {
    this.#tasks.set(id, { ...this.#tasks.get(id)!, ...fields });
    return this;
  }

  async request<T>(method: string, path: string): Promise<T> {
    this.requests.push(`${method} ${path}`);
    const url = new URL(path, 'http://fake');
    const [, , , rawId, sub] = url.pathname.split('/');
    const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
    if (method === 'POST' && url.pathname === '/api/tasks') return { id: this.submitId, status: 'queued' } as T;
    if (method === 'GET' && id === undefined) {
      const parent = url.searchParams.get('parent');
      return { tasks: [...this.#tasks.values()].filter((t) => t.parentId === parent).reverse() } as T;
    }
    const task = id === undefined ? undefined : this.#tasks.get(id);
    if (!task || method !== 'GET') throw new ApiError(404, 'TASK_NOT_FOUND', `no task ${id}`);
    if (sub === 'transitions') return { transitions: structuredClone(this.#timelines.get(task.id)!) } as T;
    if (id === this.watched) this.script.shift()?.();
    return structuredClone(this.#tasks.get(task.id)!) as T;
  }

  async events(opts: { signal: AbortSignal; lastEventId?: string }): Promise<AsyncIterable<SseMessage>> {
    if (this.refuseStream) throw new ApiError(404, 'NOT_FOUND', 'no stream');
    const queue: SseMessage[] = [];
    let wake: (() => void) | undefined;
    const send = (m: SseMessage) => {
      queue.push(m);
      wake?.();
    };
    this.#streams.add(send);
    const streams = this.#streams;
    const { signal } = opts;
    signal.addEventListener('abort', () => wake?.());
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (!signal.aborted) {
            const next = queue.shift();
            if (next) yield next;
            else await new Promise<void>((r) => (wake = r));
          }
        } finally {
          streams.delete(send);
        }
      },
    };
  }
}
