/**
 * A Server-Sent Events client for tests: reads a stream in the background and collects its
 * events, parsed as the SSE spec says (event, data, id; comments ignored) by the CLI's parser.
 */
import { SseParser, type SseMessage } from '../../src/cli/sse.js';

/** One event of the stream. */
export type SseEvent = SseMessage;

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly #abort = new AbortController();
  #done: Promise<void> = Promise.resolve();
  #waiters: (() => void)[] = [];
  status = 0;
  headers: Headers | undefined;
  error: unknown;

  /** Opens the stream; resolves once the answer's headers are in. */
  static async open(
    url: string,
    headers: Record<string, string> = {},
    fetcher: (url: string, init: RequestInit) => Promise<Response> = fetch,
  ): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetcher(url, { headers: { accept: 'text/event-stream', ...headers }, signal: client.#abort.signal });
    client.status = res.status;
    client.headers = res.headers;
    if (res.body) client.#done = client.#read(res.body);
    return client;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const reader = body.getReader();
    // An in-process answer (app.request) ignores the fetch signal: cancel the body itself.
    this.#abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        const events = parser.push(decoder.decode(chunk, { stream: true }));
        if (events.length === 0) continue;
        this.events.push(...events);
        for (const w of this.#waiters.splice(0)) w();
      }
    } catch (err) {
      if (!this.#abort.signal.aborted) this.error = err;
    }
  }

  /** Resolves once `predicate(events)` holds; rejects after `timeoutMs` of real time. */
  async until(predicate: (events: SseEvent[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.error) throw this.error;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`SSE: timed out with ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The events named `name`, their data parsed as JSON. */
  of<T = any>(name: string): (T & { $id?: string })[] {
    return this.events
      .filter((e) => e.event === name)
      .map((e) => ({ ...(JSON.parse(e.data) as T), ...(e.id !== undefined ? { $id: e.id } : {}) }));
  }

  /** Disconnects. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }
}
