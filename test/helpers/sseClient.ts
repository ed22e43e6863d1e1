/**
 * A Server-Sent Events client for tests: reads a stream in the background and collects its
 * events, parsed as the SSE spec says (event, data, id; comments ignored).
 */
export interface SseEvent {
  event: string;
  data: string;
  /** Absent when the event carried no `id:` field. */
  id?: string;
}

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
    let buffer = '';
    let current: Partial<SseEvent> & { dataLines?: string[] } = {};
    const reader = body.getReader();
    // An in-process answer (app.request) ignores the fetch signal: cancel the body itself.
    this.#abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (current.dataLines) {
              this.events.push({
                event: current.event ?? 'message',
                data: current.dataLines.join('\n'),
                ...(current.id !== undefined ? { id: current.id } : {}),
              });
              for (const w of this.#waiters.splice(0)) w();
            }
            current = {};
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') (current.dataLines ??= []).push(value);
            else if (field === 'event') current.event = value;
            else if (field === 'id') current.id = value;
          }
        }
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
