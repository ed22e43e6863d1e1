// @ts-check
/**
 * `/dashboard/api.js`: the dashboard's only door to the API. It holds the bearer token (in
 * `sessionStorage`, never in a URL), sends it on every request, and turns a 401 into a call to
 * the sign-in handler. `connectEvents` follows `GET /api/events`: through `EventSource` when no
 * token is set, and through `fetch()` plus a stream parser when one is, because `EventSource`
 * cannot send an `authorization` header.
 * @module
 */
const TOKEN_KEY = 'warden.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

let onUnauthorized = () => {};
/** Called with a message whenever the API answers 401. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

function headers(extra) {
  const hs = Object.assign({ accept: 'application/json' }, extra || {});
  const t = token.get();
  if (t) hs.authorization = 'Bearer ' + t;
  return hs;
}

export async function request(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }), cache: 'no-store' };
  if (body !== undefined) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'NETWORK', 'cannot reach the Warden server (' + (err && err.message ? err.message : err) + ')');
  }
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return data;
  const error = (data && data.error) || {};
  const e = new ApiError(res.status, error.code || 'HTTP_' + res.status, error.message || res.statusText || 'request failed', data);
  if (res.status === 401) onUnauthorized(token.get() ? 'That token was refused: ' + e.message : 'This Warden needs an API token.');
  throw e;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);

/** Live-only events some servers add beside 'transition'. */
const OTHER_EVENTS = ['escalation', 'circuit', 'supervisor'];

/**
 * Follows the event stream. Calls onTransition(event) per transition, onEvent(type, data) for
 * the live-only escalation, circuit and supervisor events, and onStatus(state) with 'connecting' |
 * 'live' | 'reconnecting' | 'unauthorized'. Resumes after a drop from the last transition id it
 * saw, and calls onResume() so views can re-read what they show.
 */
export function connectEvents(handlers) {
  const onTransition = handlers.onTransition;
  const onEvent = handlers.onEvent || (() => {});
  const onStatus = handlers.onStatus || (() => {});
  const onResume = handlers.onResume || (() => {});
  let lastId;
  let closed = false;
  let retryMs = 500;
  let es;
  let abort;
  let timer;
  let everLive = false;

  const deliver = (type, data, id) => {
    if (type === 'transition' && id !== undefined && id !== '') lastId = id;
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      console.error('unreadable ' + type + ' event');
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
    es = new EventSource('/api/events' + (lastId ? '?lastEventId=' + encodeURIComponent(lastId) : ''));
    es.onopen = live;
    es.addEventListener('transition', (e) => deliver('transition', e.data, e.lastEventId));
    for (const type of OTHER_EVENTS) es.addEventListener(type, (e) => deliver(type, e.data));
    es.onerror = () => {
      if (closed) return;
      if (es.readyState === EventSource.CLOSED) {
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
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
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
          let id;
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
    } catch (err) {
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
