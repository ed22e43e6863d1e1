// @ts-check
/**
 * `/dashboard/api.js`: the dashboard's only door to the API. It holds the bearer token (in
 * `sessionStorage`, never in a URL), sends it on every request, and turns a 401 into a call to
 * the sign-in handler. `connectEvents` follows `GET /api/events`: through `EventSource` when no
 * token is set, and through `fetch()` plus a stream parser when one is, because `EventSource`
 * cannot send an `authorization` header.
 * @module
 */
/** @import { TransitionEvent } from '../apiTypes.js' */

const TOKEN_KEY = 'warden.token';

/** The API token of this tab. */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  /** @param {string} t */
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A request the API refused (its status, code and message), or one that never reached it (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {unknown} [data] the answer's body, where it was JSON
   */
  constructor(status, code, message, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

/**
 * The HTTP status of a failed request; 0 for anything else thrown.
 * @param {unknown} err
 */
export const statusOf = (err) => (err instanceof ApiError ? err.status : 0);

/**
 * The message of anything thrown.
 * @param {unknown} err
 */
export const messageOf = (err) => (err instanceof Error ? err.message : String(err));

/**
 * What to tell the user when an admin action failed: that it needs the admin token (a 401 or
 * 403), or else why it failed.
 * @param {unknown} err
 * @param {string} doing the action as a subject, e.g. 'Acknowledging'
 * @param {string} action the action as a noun, e.g. 'Ack'
 */
export function adminFailure(err, doing, action) {
  const status = statusOf(err);
  return status === 401 || status === 403 ? `${doing} needs the admin token: ${messageOf(err)}` : `${action} failed: ${messageOf(err)}`;
}

/** @type {(message: string) => void} */
let onUnauthorized = () => {};
/**
 * Called with a message whenever the API answers 401.
 * @param {(message: string) => void} fn
 */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
function headers(extra) {
  /** @type {Record<string, string>} */
  const hs = Object.assign({ accept: 'application/json' }, extra || {});
  const t = token.get();
  if (t) hs.authorization = `Bearer ${t}`;
  return hs;
}

/**
 * Calls the API; resolves with the answer's JSON body, rejects with an {@link ApiError}.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<unknown>}
 */
export async function request(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }), cache: 'no-store' };
  if (body !== undefined) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `cannot reach the Warden server (${messageOf(err)})`);
  }
  const text = await res.text();
  /** @type {unknown} */
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return data;
  const error = problemOf(data);
  const e = new ApiError(res.status, error.code || `HTTP_${res.status}`, error.message || res.statusText || 'request failed', data);
  if (res.status === 401) onUnauthorized(token.get() ? `That token was refused: ${e.message}` : 'This Warden needs an API token.');
  throw e;
}

/**
 * The `{ error: { code, message } }` of a refusal, as far as the body has one.
 * @param {unknown} data
 * @returns {{ code?: string, message?: string }}
 */
function problemOf(data) {
  const error = data && typeof data === 'object' && 'error' in data ? data.error : undefined;
  if (!error || typeof error !== 'object') return {};
  return {
    ...('code' in error && typeof error.code === 'string' ? { code: error.code } : {}),
    ...('message' in error && typeof error.message === 'string' ? { message: error.message } : {}),
  };
}

/** @param {string} path */
export const get = (path) => request('GET', path);
/**
 * @param {string} path
 * @param {unknown} [body]
 */
export const post = (path, body) => request('POST', path, body);

/** Live-only events some servers add beside 'transition'. */
const OTHER_EVENTS = ['escalation', 'circuit', 'supervisor'];

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'unauthorized'} StreamStatus */

/**
 * What {@link connectEvents} calls.
 * @typedef {object} StreamHandlers
 * @property {(event: TransitionEvent) => void} onTransition each transition of each task
 * @property {(type: string, data: unknown) => void} [onEvent] the live-only escalation, circuit and supervisor events
 * @property {(status: StreamStatus) => void} [onStatus]
 * @property {() => void} [onResume] after a drop, once the stream is live again
 */

/**
 * Follows the event stream. Calls onTransition(event) per transition, onEvent(type, data) for
 * the live-only escalation, circuit and supervisor events, and onStatus(state) with 'connecting' |
 * 'live' | 'reconnecting' | 'unauthorized'. Resumes after a drop from the last transition id it
 * saw, and calls onResume() so views can re-read what they show.
 * @param {StreamHandlers} handlers
 * @returns {{ close(): void }}
 */
export function connectEvents(handlers) {
  const onTransition = handlers.onTransition;
  const onEvent = handlers.onEvent || (() => {});
  const onStatus = handlers.onStatus || (() => {});
  const onResume = handlers.onResume || (() => {});
  /** @type {string | undefined} */
  let lastId;
  let closed = false;
  let retryMs = 500;
  /** @type {EventSource | undefined} */
  let es;
  /** @type {AbortController | undefined} */
  let abort;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let everLive = false;

  /**
   * @param {string} type
   * @param {string} data
   * @param {string} [id]
   */
  const deliver = (type, data, id) => {
    if (type === 'transition' && id !== undefined && id !== '') lastId = id;
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      console.error(`unreadable ${type} event`);
      return;
    }
    if (type === 'transition') onTransition(parsed);
    else if (OTHER_EVENTS.includes(type)) onEvent(type, parsed);
  };
  const live = () => {
    retryMs = 500;
    onStatus('live');
    if (everLive) onResume();
    everLive = true;
  };
  const later = () => {
    if (closed) return;
    onStatus('reconnecting');
    clearTimeout(timer);
    timer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
  // A closed EventSource says nothing about why; ask the API whether it now wants a token.
  const probe = async () => {
    try {
      const res = await fetch('/api/health', { headers: headers(), cache: 'no-store' });
      if (res.status === 401) {
        onStatus('unauthorized');
        onUnauthorized('This Warden needs an API token.');
        return;
      }
    } catch {
      /* the server is down: keep retrying */
    }
    later();
  };

  function viaEventSource() {
    const source = new EventSource(`/api/events${lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : ''}`);
    es = source;
    source.onopen = live;
    // Named events arrive as MessageEvents; the DOM types only know the unnamed 'message'.
    source.addEventListener('transition', (e) =>
      deliver('transition', /** @type {MessageEvent<string>} */ (e).data, /** @type {MessageEvent} */ (e).lastEventId),
    );
    for (const type of OTHER_EVENTS) source.addEventListener(type, (e) => deliver(type, /** @type {MessageEvent<string>} */ (e).data));
    source.onerror = () => {
      if (closed) return;
      if (source.readyState === EventSource.CLOSED) {
        es = undefined;
        probe();
      } else onStatus('reconnecting');
    };
  }

  async function viaFetch() {
    abort = new AbortController();
    const hs = headers({ accept: 'text/event-stream' });
    if (lastId) hs['last-event-id'] = lastId;
    try {
      const res = await fetch('/api/events', { headers: hs, signal: abort.signal, cache: 'no-store' });
      if (res.status === 401) {
        onStatus('unauthorized');
        onUnauthorized('That token was refused. Enter a valid API token.');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      live();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value.replace(/\r\n?/g, '\n');
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          /** @type {string | undefined} */
          let id;
          /** @type {string[]} */
          const data = [];
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let val = colon < 0 ? '' : line.slice(colon + 1);
            if (val.startsWith(' ')) val = val.slice(1);
            if (field === 'event') event = val;
            else if (field === 'data') data.push(val);
            else if (field === 'id') id = val;
          }
          if (data.length) deliver(event, data.join('\n'), id);
        }
      }
    } catch {
      // Aborted by close(), or the connection dropped: only the latter is retried.
      if (closed) return;
    }
    later();
  }

  function open() {
    if (closed) return;
    onStatus(everLive ? 'reconnecting' : 'connecting');
    if (token.get()) viaFetch();
    else viaEventSource();
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (es) es.close();
      if (abort) abort.abort();
    },
  };
}
