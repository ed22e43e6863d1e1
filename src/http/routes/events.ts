import type { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { EscalationRecord } from '../../escalation/types.js';
import type { SupervisorTransition } from '../../supervisor/index.js';
import { redactedJson } from '../redactJson.js';
import { streamHead } from '../streamHead.js';
import type { RouteContext } from './RouteContext.js';

/** Transitions read from the store per query. */
const PAGE = 500;
/** Live-only events (escalation, circuit, supervisor) held for a slow client; older ones are dropped. */
const MAX_PENDING = 1000;
/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/**
 * The least time between two reads of the transition stream. Under load, wake-ups come faster
 * than reads; batching them keeps a watching dashboard from turning the store's group commits
 * into one commit per read (a read flushes pending writes).
 */
const MIN_READ_INTERVAL_MS = 25;

/** A `Last-Event-ID`: a transition stream id. Anything else starts the stream at the present. */
function parseEventId(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/**
 * `GET /api/events`: Server-Sent Events.
 *
 * - `transition` events carry `id:` = the store's transition stream id. They are read from the
 *   store, not forwarded from memory: the engine's `transition` event only wakes the stream, which
 *   then sends every transition after the last one it sent, in id order. So a client that reconnects
 *   with `Last-Event-ID` (or `?lastEventId=`) gets exactly the transitions it missed, in order, with
 *   no gap and no duplicate, wherever it was cut off.
 * - `escalation` (`{ change, escalation }`), `circuit` (`{ agent, from, to, at }`) and `supervisor`
 *   (the supervisor's transition) are live only and carry no `id:`. Per the SSE spec an event
 *   without an id leaves the client's last event id alone, so it stays the last transition's id.
 *
 * Without a `Last-Event-ID` the stream starts at the present: the newest transition in the store.
 */
export function registerEventRoutes(app: Hono, { engine, redact }: RouteContext): void {
  app.get('/api/events', (c) => {
    const resumeFrom = parseEventId(c.req.header('last-event-id') ?? c.req.query('lastEventId'));
    return streamSSE(c, async (stream) => {
      let transitionsPending = true;
      const live: { event: string; data: string }[] = [];
      let wake: (() => void) | undefined;
      const poke = () => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      const push = (event: string, payload: unknown) => {
        if (live.length >= MAX_PENDING) live.shift();
        live.push({ event, data: redactedJson(payload, redact) });
        poke();
      };
      const onTransition = () => {
        transitionsPending = true;
        poke();
      };
      const onEscalation = (escalation: EscalationRecord, change: string) => push('escalation', { change, escalation });
      const onCircuit = (e: unknown) => push('circuit', e);
      const onSupervisor = (t: SupervisorTransition) => push('supervisor', t);
      const supervisor = engine.supervisor;
      // Listening starts before the head is read, so nothing committed from here on is missed.
      engine.on('transition', onTransition);
      engine.on('circuit', onCircuit);
      engine.escalations.on('changed', onEscalation);
      supervisor?.on('transition', onSupervisor);
      stream.onAbort(() => {
        engine.off('transition', onTransition);
        engine.off('circuit', onCircuit);
        engine.escalations.off('changed', onEscalation);
        supervisor?.off('transition', onSupervisor);
        poke();
      });

      try {
        let cursor = resumeFrom ?? (await streamHead(engine.store));
        let lastRead = 0;
        while (!stream.aborted) {
          if (transitionsPending) {
            const wait = lastRead + MIN_READ_INTERVAL_MS - Date.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            transitionsPending = false;
            lastRead = Date.now();
            cursor = await sendTransitions(stream, cursor);
            continue;
          }
          if (live.length) {
            for (const e of live.splice(0)) await stream.writeSSE(e);
            continue;
          }
          const idle = await idleFor(KEEP_ALIVE_MS, (w) => (wake = w));
          if (idle && !stream.aborted) await stream.write(': keep-alive\n\n');
        }
      } catch (err) {
        // Caught here rather than by streamSSE, which would send the raw message to the client.
        engine.logger.warn({ err: redact(err instanceof Error ? err.message : String(err)) }, 'event stream failed');
        const data = JSON.stringify({ code: 'STREAM_FAILED', message: 'the event stream failed; reconnect with Last-Event-ID to resume' });
        await stream.writeSSE({ event: 'error', data });
      }
    });

    /** Sends every transition after `cursor`, in id order; returns the new cursor. */
    async function sendTransitions(stream: SSEStreamingApi, cursor: number): Promise<number> {
      for (;;) {
        const page = await engine.store.transitionsSince(cursor, PAGE);
        for (const t of page) {
          if (stream.aborted) return cursor;
          await stream.writeSSE({ event: 'transition', id: String(t.eventId), data: redactedJson(t, redact) });
          cursor = t.eventId ?? cursor;
        }
        if (page.length < PAGE) return cursor;
      }
    }
  });
}

/** Waits for a wake-up or `ms`; true when the time ran out with nothing to do. */
function idleFor(ms: number, setWake: (wake: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    setWake(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
