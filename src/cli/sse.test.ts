import { describe, expect, it } from 'vitest';
import { SseParser, readSse } from './sse.js';

describe('SseParser', () => {
  it('dispatches an event at the blank line, with its name, id and data', () => {
    const p = new SseParser();
    expect(p.push('event: transition\nid: 7\ndata: {"seq":1}\n\n')).toEqual([{ event: 'transition', id: '7', data: '{"seq":1}' }]);
  });

  it('joins data lines, ignores comments and names an unnamed event "message"', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\n\ndata: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('keeps a line cut between chunks until it is whole, with \\r\\n line ends split anywhere', () => {
    const p = new SseParser();
    expect(p.push('event: trans')).toEqual([]);
    expect(p.push('ition\r')).toEqual([]);
    expect(p.push('\ndata: x\r\n\r')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'transition', data: 'x' }]);
  });
});

describe('readSse', () => {
  it('yields the events of a byte stream as they complete', async () => {
    const bytes = new TextEncoder().encode('event: a\ndata: 1\n\nevent: b\ndata: 2\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 13));
        c.enqueue(bytes.slice(13));
        c.close();
      },
    });
    const events = [];
    for await (const e of readSse(body)) events.push(e);
    expect(events).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
  });
});
