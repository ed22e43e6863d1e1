/** A small client for the Warden HTTP API, used by the CLI. */
import { readSse, type SseMessage } from './sse.js';

/** A failed API call, carrying the server's error code and message. */
export class ApiError extends Error {
  override name = 'ApiError' as const;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Talks to `warden serve` at `baseUrl`, sending `WARDEN_API_TOKEN` as the bearer token. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;

  constructor(baseUrl?: string, token = process.env.WARDEN_ADMIN_TOKEN || process.env.WARDEN_API_TOKEN) {
    this.baseUrl = (baseUrl ?? process.env.WARDEN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    this.#token = token || undefined;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(path, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = safeJson(await res.text());
    if (!res.ok) throw errorOf(res.status, json);
    return json as T;
  }

  /**
   * Opens `GET /api/events` and resolves, once the server has answered, with its events as they
   * come. With `lastEventId` the stream resumes after that transition; without, it starts now.
   * Aborting `signal` ends it.
   */
  async events(opts: { signal: AbortSignal; lastEventId?: string }): Promise<AsyncIterable<SseMessage>> {
    const res = await this.#fetch('/api/events', {
      headers: { accept: 'text/event-stream', ...(opts.lastEventId !== undefined ? { 'last-event-id': opts.lastEventId } : {}) },
      signal: opts.signal,
    });
    if (!res.ok || !res.body) throw errorOf(res.status, safeJson(await res.text()));
    return readSse(res.body);
  }

  async #fetch(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
    try {
      return await fetch(this.baseUrl + path, {
        ...init,
        headers: { ...init.headers, ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}) },
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new ApiError(
        0,
        'CONNECTION_FAILED',
        `cannot reach Warden at ${this.baseUrl}${cause ? ` (${cause})` : ''}; is \`warden serve\` running? (--url or WARDEN_URL)`,
      );
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The API's `{ error: { code, message, issues } }` answer as an ApiError. */
function errorOf(status: number, json: unknown): ApiError {
  const e = (json as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } } | undefined)?.error;
  return new ApiError(status, e?.code ?? `HTTP_${status}`, e?.message ?? `HTTP ${status}`, e?.issues);
}
