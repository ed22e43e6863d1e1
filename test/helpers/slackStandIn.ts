import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call the stand-in received, and what it answered. */
export interface SlackCall {
  method: string;
  headers: IncomingHttpHeaders;
  /** The form fields; `blocks` is the JSON string the WebClient sends. */
  params: Record<string, string>;
  /** The HTTP status answered. */
  status: number;
  /** The body answered (parsed when it was JSON). */
  answer: unknown;
}

/**
 * A scripted answer: a status (default 200), extra headers, and a body (JSON unless a string).
 * Without a body it is the normal answer. `delayMs` holds the answer back that long (real time),
 * to catch the client in the middle of a call.
 */
export interface SlackReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
}

/** 1700000000.000100, the first ts the stand-in hands out, without its dot. */
const FIRST_TS = 1_700_000_000_000_100;

/**
 * A Slack Web API stand-in for the real `@slack/web-api` WebClient pointed at it through
 * `slackApiUrl` (a channel's `apiUrl`): form-encoded requests in, `{ ok, … }` JSON out, and
 * message timestamps that increase by one per posted message.
 *
 * Answers can be scripted per method (`script`), used once each and in order, before the
 * default answers: `chat.postMessage` → `{ ok, channel: 'C123', ts }`, `chat.update` → `{ ok }`,
 * `auth.test` → `{ ok, user_id }`. A call without a bearer token gets `not_authed`. As on
 * slack.com, methods live under `/api/`: any other path is answered 404 with an HTML page.
 *
 * A call is recorded when it is answered: `auth.test` in `verifications` (Warden verifies its
 * channels at start and on the supervisor's schedule, and those checks carry no message), every
 * other call in `calls`, so counting `calls` counts what was posted or updated. `of(method)`
 * finds either.
 *
 * @example
 * const slack = await SlackStandIn.start();
 * slack.script.set('chat.postMessage', [{ status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }]);
 * // … config: { type: 'slack', channel: '#ops', tokenEnv: 'SLACK_BOT_TOKEN', apiUrl: slack.url }
 * expect(slack.posts()).toHaveLength(1);
 */
export class SlackStandIn {
  /** Every answered call but `auth.test`, in order. */
  readonly calls: SlackCall[] = [];
  /** The answered `auth.test` calls (channel verifications), in order. */
  readonly verifications: SlackCall[] = [];
  /** The methods of the calls received but `auth.test`, answered or not yet, in order of arrival. */
  readonly arrived: string[] = [];
  /** Canned answers by method, used once each, before the default answers. */
  readonly script = new Map<string, SlackReply[]>();
  /** The channel id answered for posted messages. */
  readonly channelId = 'C123';
  #ts = FIRST_TS;
  readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/\?.*$/, '');
      const params = Object.fromEntries(new URLSearchParams(body));
      if (!path.startsWith('/api/')) {
        // what slack.com answers for a method called outside /api/
        this.calls.push({ method: path, headers: req.headers, params, status: 404, answer: 'not found' });
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><body>not found</body></html>');
        return;
      }
      const method = path.slice('/api/'.length);
      if (method !== 'auth.test') this.arrived.push(method);
      const scripted = this.script.get(method)?.shift();
      const reply = scripted && 'body' in scripted ? scripted : { ...this.#default(method, req.headers, params), ...scripted };
      const answer = () => {
        const status = reply.status ?? 200;
        const call = { method, headers: req.headers, params, status, answer: reply.body };
        (method === 'auth.test' ? this.verifications : this.calls).push(call);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });

  /** Starts a stand-in on a free loopback port. */
  static async start(): Promise<SlackStandIn> {
    const s = new SlackStandIn();
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    return s;
  }

  /** The base URL to give WebClient as `slackApiUrl` (ends in `/api/`). */
  get url(): string {
    return `${this.origin}/api/`;
  }

  /** The server's origin, `http://127.0.0.1:<port>`, without `/api/`. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls of one method, in order (`auth.test` included). */
  of(method: string): SlackCall[] {
    return (method === 'auth.test' ? this.verifications : this.calls).filter((c) => c.method === method);
  }

  /** `chat.postMessage` calls that were answered `ok: true` (messages that now exist in "Slack"). */
  posts(): SlackCall[] {
    return this.of('chat.postMessage').filter(answeredOk);
  }

  /** Posted top-level messages (no `thread_ts`) whose text or blocks mention `needle`. */
  parents(needle?: string): SlackCall[] {
    return this.posts().filter((c) => c.params['thread_ts'] === undefined && (needle === undefined || mentions(c, needle)));
  }

  /** Posted replies in the thread of the message with this `ts`. */
  replies(ts: string): SlackCall[] {
    return this.posts().filter((c) => c.params['thread_ts'] === ts);
  }

  /** `chat.update` calls on the message with this `ts` that were answered `ok: true`. */
  updates(ts: string): SlackCall[] {
    return this.of('chat.update').filter((c) => answeredOk(c) && c.params['ts'] === ts);
  }

  /** Forgets every call and script, and starts the timestamps over. */
  reset(): void {
    this.calls.length = 0;
    this.verifications.length = 0;
    this.arrived.length = 0;
    this.script.clear();
    this.#ts = FIRST_TS;
  }

  close(): Promise<void> {
    return new Promise<void>((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  #default(method: string, headers: IncomingHttpHeaders, params: Record<string, string>): SlackReply {
    if (!/^Bearer \S+/.test(String(headers.authorization))) return { body: { ok: false, error: 'not_authed' } };
    if (method === 'auth.test') return { body: { ok: true, user_id: 'U1', team_id: 'T1' } };
    if (method === 'chat.postMessage') {
      const ts = this.#nextTs();
      return {
        body: {
          ok: true,
          channel: this.channelId,
          ts,
          message: { ts, ...(params['thread_ts'] ? { thread_ts: params['thread_ts'] } : {}) },
        },
      };
    }
    if (method === 'chat.update') return { body: { ok: true, channel: params['channel'], ts: params['ts'] } };
    return { status: 404, body: { ok: false, error: 'unknown_method' } };
  }

  #nextTs(): string {
    const n = String(this.#ts++);
    return `${n.slice(0, 10)}.${n.slice(10)}`;
  }
}

/** The `ts` Slack gave a posted message. */
export function tsOf(call: SlackCall): string {
  return (call.answer as { ts: string }).ts;
}

/** Everything a call carried that people read: its text and its blocks, as one string. */
export function messageText(call: SlackCall): string {
  return `${call.params['text'] ?? ''}\n${call.params['blocks'] ?? ''}`;
}

/** The blocks of a call, parsed. */
export function blocksOf(call: SlackCall): Record<string, unknown>[] {
  return JSON.parse(call.params['blocks'] ?? '[]') as Record<string, unknown>[];
}

function answeredOk(c: SlackCall): boolean {
  return c.status === 200 && (c.answer as { ok?: unknown } | undefined)?.ok === true;
}

function mentions(c: SlackCall, needle: string): boolean {
  return messageText(c).includes(needle);
}
