// @ts-check
/**
 * `/dashboard/dom.js`: element builders and formatting shared by every view.
 * Text always goes in through `textContent`, never parsed as HTML, so API data cannot inject markup.
 * @module
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element: h('a', { href, class, onclick }, ...children). */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
/** An SVG element. */
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

export function replace(el, ...children) {
  el.replaceChildren();
  return build(el, {}, children);
}

const pad = (n, w) => String(n).padStart(w || 2, '0');

/** 14:03:07.250 (local time), with the date when it is not today. */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const t = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return t;
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + t;
}

/** 850 ms, 1.2 s, 3 m 04 s, 2 h 05 m. */
export function fmtDuration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 0) ms = 0;
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  const totalS = Math.floor(ms / 1000);
  if (totalS < 3600) return Math.floor(totalS / 60) + ' m ' + pad(totalS % 60) + ' s';
  const totalM = Math.floor(totalS / 60);
  if (totalM < 1440) return Math.floor(totalM / 60) + ' h ' + pad(totalM % 60) + ' m';
  return Math.floor(totalM / 1440) + ' d ' + pad(Math.floor(totalM / 60) % 24) + ' h';
}

export const between = (a, b) => (a && b ? Date.parse(b) - Date.parse(a) : undefined);

/** "12 s ago". */
export function fmtAgo(iso) {
  if (!iso) return '—';
  return fmtDuration(Date.now() - Date.parse(iso)) + ' ago';
}

export const pretty = (v) => (v === undefined ? '—' : JSON.stringify(v, null, 2));

export const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

/** The colour family of a task status or machine state: completed, degraded, failed, running, waiting, cancelled. */
export function tone(statusOrState) {
  switch (statusOrState) {
    case 'completed':
    case 'degraded':
    case 'failed':
    case 'cancelled':
    case 'waiting':
    case 'queued':
      return statusOrState;
    case 'healthy':
    case 'closed':
    case 'resolved':
      return 'completed';
    case 'half-open':
    case 'suspect':
    case 'recovering':
    case 'verifying':
    case 'acknowledged':
    case 'degrading':
      return 'degraded';
    case 'unhealthy':
    case 'open':
    case 'escalated':
    case 'critical':
    case 'high':
      return 'failed';
    case 'unknown':
    case 'low':
      return 'waiting';
    case 'medium':
      return 'degraded';
    default:
      return 'running';
  }
}

/** A coloured pill: badge('degraded'). */
export const badge = (text, family) => h('span', { class: ['badge', 'tone-' + (family || tone(text))], text });

/** An empty-state or error message inside a panel. */
export const note = (text, kind) => h('p', { class: ['note', kind] }, text);

/** What a view shows when loading failed: a sign-in hint for a 401, else the error. */
export const failed = (err, what) =>
  err && err.status === 401 ? note('Sign in to see ' + what + '.', 'muted') : note(err.message, 'error');

/**
 * Keeps a view's data fresh: read() now, every everyMs, and once soon() after a burst of events.
 * render(data, error) runs after each read (and once at first with nothing, to show "loading").
 */
export function liveData(read, render, everyMs) {
  let data;
  let error;
  let timer;
  async function load() {
    try {
      data = await read();
      error = undefined;
    } catch (err) {
      error = err;
    }
    render(data, error);
  }
  const poll = setInterval(load, everyMs);
  render(undefined, undefined);
  load();
  return {
    load,
    soon(ms) {
      if (!timer)
        timer = setTimeout(() => {
          timer = undefined;
          load();
        }, ms || 300);
    },
    stop() {
      clearInterval(poll);
      clearTimeout(timer);
    },
  };
}

/** A long id cut to its first characters, the whole id in the tooltip. */
export const shortId = (id, n) =>
  h('span', { class: 'mono nowrap', title: id, text: id.length > (n || 14) + 2 ? id.slice(0, n || 14) + '…' : id });
