/**
 * A fleet of HTTP agents for end-to-end tests of runs: one server, one path per agent
 * (`/<agent>`), speaking the agent protocol. It records every call with its idempotency key and
 * task id, and counts the calls open at once per agent and run, as an agent would see them: from
 * the request's arrival to the answer (or the client hanging up).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call an agent received. */
export interface FleetCall {
  agent: string;
  /** `x-warden-task-id`. */
  taskId: string;
  /** The run of a step task: its id up to the first dot. */
  runId: string;
  /** `idempotency-key`. */
  key: string;
  /** The request body's `input`. */
  input: any;
  attempt: number;
  /** The fleet's {@link AgentFleet.generation} when the call arrived: which Warden process made it. */
  generation: number;
}

/** How an agent answers: a status, a JSON body, extra headers. */
export interface FleetAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What a handler may look at while it decides. */
export interface FleetContext {
  /** Calls of this agent for this call's run that are open now, this one included. */
  open(): number;
  /** Aborted when Warden hangs up before the answer. */
  signal: AbortSignal;
}

/** An agent's behaviour. */
export type FleetHandler = (call: FleetCall, ctx: FleetContext) => FleetAnswer | Promise<FleetAnswer>;

/** Answers 200 with `output`. */
export const ok = (output: unknown): FleetAnswer => ({ status: 200, body: { output } });

/** Answers a permanent failure (422): no retry helps, the step task fails. */
export const refuse = (code: string, message: string): FleetAnswer => ({ status: 422, body: { error: { code, message } } });

export class AgentFleet {
  /** Every call received, in order of arrival. */
  readonly calls: FleetCall[] = [];
  /** Calls whose client hung up before the answer (a cancel, or a kill of Warden). */
  readonly hungUp: FleetCall[] = [];
  /** A label the test moves on (a restart of Warden, say); each call records it. */
  generation = 0;
  #waiters: { n: number; resolve: () => void }[] = [];
  readonly #open = new Map<string, number>();
  readonly #maxOpen = new Map<string, number>();
  readonly #server = createServer((req, res) => this.#serve(req, res));

  private constructor(private readonly handlers: Record<string, FleetHandler>) {}

  /** Starts the fleet on a free loopback port. */
  static async start(handlers: Record<string, FleetHandler>): Promise<AgentFleet> {
    const fleet = new AgentFleet(handlers);
    await new Promise<void>((r) => fleet.#server.listen(0, '127.0.0.1', r));
    return fleet;
  }

  /** The `http` adapter URL of an agent. */
  url(agent: string): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/${agent}`;
  }

  /** The most calls of `agent` for `runId` that were open at once. */
  maxOpen(agent: string, runId: string): number {
    return this.#maxOpen.get(`${agent} ${runId}`) ?? 0;
  }

  /** The calls of one run (its step tasks'), optionally of one agent. */
  callsOf(runId: string, agent?: string): FleetCall[] {
    return this.calls.filter((c) => c.runId === runId && (agent === undefined || c.agent === agent));
  }

  /** Resolves once `n` calls have arrived in all. */
  untilCalls(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.#server.closeAllConnections();
      this.#server.close(() => r());
    });
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => {
      const agent = (req.url ?? '').slice(1);
      const body = JSON.parse(text || '{}') as { input?: unknown; attempt?: number };
      const taskId = String(req.headers['x-warden-task-id']);
      const call: FleetCall = {
        agent,
        taskId,
        runId: taskId.split('.')[0]!,
        key: String(req.headers['idempotency-key']),
        input: body.input,
        attempt: body.attempt ?? 0,
        generation: this.generation,
      };
      this.calls.push(call);
      const due = this.#waiters.filter((w) => this.calls.length >= w.n);
      this.#waiters = this.#waiters.filter((w) => this.calls.length < w.n);
      for (const w of due) w.resolve();
      const slot = `${agent} ${call.runId}`;
      const open = (this.#open.get(slot) ?? 0) + 1;
      this.#open.set(slot, open);
      this.#maxOpen.set(slot, Math.max(open, this.#maxOpen.get(slot) ?? 0));
      const hangUp = new AbortController();
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        this.#open.set(slot, (this.#open.get(slot) ?? 1) - 1);
      };
      res.on('close', () => {
        if (!res.writableFinished) {
          this.hungUp.push(call);
          hangUp.abort();
        }
        close();
      });
      const handler = this.handlers[agent];
      void Promise.resolve(
        handler ? handler(call, { open: () => this.#open.get(slot) ?? 0, signal: hangUp.signal }) : refuse('NO_SUCH_AGENT', agent),
      ).then(
        (answer) => {
          if (res.destroyed) return;
          // The call counts as closed before its answer leaves, so that Warden, answered, never sees
          // the slot it frees still taken.
          close();
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
        },
        (err: unknown) => {
          close();
          if (!res.destroyed)
            res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err) } }));
        },
      );
    });
  }
}

/** Resolves after `ms` of real time, or once `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
