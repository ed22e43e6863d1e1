/**
 * A fleet of HTTP agents for end-to-end tests of runs: one server, one path per agent
 * (`/<agent>`), speaking the agent protocol. It records every call with its idempotency key, its
 * task id and the Warden process that made it, and counts the calls open at once per agent and
 * run, as an agent sees them: from the request's arrival until the answer.
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
  /**
   * Which Warden process made the call: the `x-warden-process` header (a test gives each process
   * its own number through the http adapter's `headersEnv`), or 0 without one.
   */
  process: number;
}

/** How an agent answers: a status and a JSON body. */
export interface FleetAnswer {
  status: number;
  body: unknown;
}

/** An agent's behaviour. */
export type FleetHandler = (call: FleetCall) => FleetAnswer | Promise<FleetAnswer>;

/** Answers 200 with `output`. */
export const ok = (output: unknown): FleetAnswer => ({ status: 200, body: { output } });

/** Answers a permanent failure (422): no retry helps, the step task fails. */
export const refuse = (code: string, message: string): FleetAnswer => ({ status: 422, body: { error: { code, message } } });

/** Resolves after `ms` of real time: an agent at work. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class AgentFleet {
  /** Every call received, in order of arrival. */
  readonly calls: FleetCall[] = [];
  readonly #open = new Map<string, number>();
  readonly #maxOpen = new Map<string, number>();
  #waiters: { n: number; resolve: () => void }[] = [];
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

  /** Resolves once `n` calls have arrived in all, as the n-th arrives. */
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
      const call = this.#record(req, text);
      const slot = `${call.agent} ${call.runId}`;
      const open = (this.#open.get(slot) ?? 0) + 1;
      this.#open.set(slot, open);
      this.#maxOpen.set(slot, Math.max(open, this.#maxOpen.get(slot) ?? 0));
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        this.#open.set(slot, (this.#open.get(slot) ?? 1) - 1);
      };
      // Warden may hang up first (a cancel, a kill): the call is no longer open either way.
      res.on('close', close);
      const handler = this.handlers[call.agent];
      void Promise.resolve(handler ? handler(call) : refuse('NO_SUCH_AGENT', call.agent))
        .catch((err: unknown): FleetAnswer => ({ status: 500, body: { error: { message: String(err) } } }))
        .then((answer) => {
          // Closed before the answer leaves, so that Warden, once answered, never finds the slot
          // it frees still counted.
          close();
          if (!res.destroyed) res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
        });
    });
  }

  #record(req: IncomingMessage, text: string): FleetCall {
    const body = JSON.parse(text || '{}') as { input?: unknown };
    const taskId = String(req.headers['x-warden-task-id']);
    const call: FleetCall = {
      agent: (req.url ?? '').slice(1),
      taskId,
      runId: taskId.split('.')[0]!,
      key: String(req.headers['idempotency-key']),
      input: body.input,
      process: Number(req.headers['x-warden-process'] ?? 0),
    };
    this.calls.push(call);
    const due = this.#waiters.filter((w) => this.calls.length >= w.n);
    this.#waiters = this.#waiters.filter((w) => this.calls.length < w.n);
    for (const w of due) w.resolve();
    return call;
  }
}
