/**
 * A Server-Sent Events reader for the CLI, as the SSE spec parses a stream: `event`, `data`
 * (lines joined by "\n") and `id` fields, comment lines ignored, an event dispatched at a blank
 * line. Node has no `EventSource` without a flag, and the CLI needs `Last-Event-ID` and the
 * bearer token on the request, which `EventSource` cannot send.
 */

/** One event of the stream. */
export interface SseMessage {
  /** `message` when the event named none. */
  event: string;
  data: string;
  /** Absent when the event carried no `id:` field. */
  id?: string;
}

/** Turns the text of a stream, chunk by chunk, into its events; a chunk may end mid-line. */
export class SseParser {
  #buffer = '';
  #event: string | undefined;
  #data: string[] | undefined;
  #id: string | undefined;

  /** Adds a chunk and returns the events it completed. */
  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const done: SseMessage[] = [];
    for (let nl = this.#buffer.search(/\r\n|\n|\r/); nl >= 0; nl = this.#buffer.search(/\r\n|\n|\r/)) {
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (this.#buffer[nl] === '\r' && nl === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + (this.#buffer.startsWith('\r\n', nl) ? 2 : 1));
      const message = this.#line(line);
      if (message) done.push(message);
    }
    return done;
  }

  #line(line: string): SseMessage | undefined {
    if (line === '') {
      const data = this.#data;
      const message = data
        ? { event: this.#event ?? 'message', data: data.join('\n'), ...(this.#id !== undefined ? { id: this.#id } : {}) }
        : undefined;
      this.#event = undefined;
      this.#data = undefined;
      this.#id = undefined;
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') (this.#data ??= []).push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id') this.#id = value;
    return undefined;
  }
}

/** The events of a response body, as they arrive; ends with the body. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) yield* parser.push(decoder.decode(chunk, { stream: true }));
}
