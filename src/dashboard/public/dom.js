// @ts-check
/**
 * `/dashboard/dom.js`: element builders and formatting shared by every view.
 * Text always goes in through `textContent`, never parsed as HTML, so API data cannot inject markup.
 * @module
 */
import { messageOf, statusOf } from './api.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * What may go in an element: nodes, text (numbers and strings), and nothing (`undefined`, `null`,
 * `false`, so `cond && h(...)` reads naturally).
 * @typedef {Node | string | number | boolean | null | undefined} Leaf
 */
/**
 * Leaves, or lists of them (`rows.map(...)`), two deep: a JSDoc typedef cannot refer to itself.
 * @typedef {Leaf | ReadonlyArray<Leaf | ReadonlyArray<Leaf>>} Child
 */

/**
 * `on<event>` handlers, typed by event so a handler's `ev` is a `MouseEvent`, an `InputEvent`…
 * @typedef {{ [K in keyof GlobalEventHandlersEventMap as `on${K}`]?: (ev: GlobalEventHandlersEventMap[K]) => unknown }} Handlers
 */

/**
 * An element's attributes: `text` sets its text, `class` takes a list (falsy entries dropped),
 * `on<event>` adds a listener; `undefined`, `null` and `false` leave an attribute out, `true` sets
 * it empty, anything else is set as a string.
 * @typedef {Handlers & { text?: unknown, class?: string | readonly (string | false | null | undefined)[], [attr: string]: unknown }} Attrs
 */

/**
 * @template {Element} E
 * @param {E} el
 * @param {Attrs | undefined} attrs
 * @param {readonly Child[]} children
 * @returns {E}
 */
function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v));
    // Handlers checks each handler against its event type; the DOM takes them all as listeners.
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {readonly Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * An HTML element: h('a', { href, class, onclick }, ...children).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
/**
 * An SVG element.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {SVGElementTagNameMap[K]}
 */
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

/**
 * Empties an element and fills it with children.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function replace(el, ...children) {
  el.replaceChildren();
  return build(el, {}, children);
}

/**
 * @param {number} n
 * @param {number} [w]
 */
const pad = (n, w) => String(n).padStart(w || 2, '0');

/**
 * 14:03:07.250 (local time), with the date when it is not today.
 * @param {string | undefined} iso
 */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return t;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
}

/**
 * 850 ms, 1.2 s, 3 m 04 s, 2 h 05 m.
 * @param {number | undefined} ms
 */
export function fmtDuration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const totalS = Math.floor(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} m ${pad(totalS % 60)} s`;
  const totalM = Math.floor(totalS / 60);
  if (totalM < 1440) return `${Math.floor(totalM / 60)} h ${pad(totalM % 60)} m`;
  return `${Math.floor(totalM / 1440)} d ${pad(Math.floor(totalM / 60) % 24)} h`;
}

/**
 * Milliseconds from one time to another, when both are known.
 * @param {string | undefined} a
 * @param {string | undefined} b
 */
export const between = (a, b) => (a && b ? Date.parse(b) - Date.parse(a) : undefined);

/**
 * "12 s ago".
 * @param {string | undefined} iso
 */
export function fmtAgo(iso) {
  if (!iso) return '—';
  return `${fmtDuration(Date.now() - Date.parse(iso))} ago`;
}

/**
 * A value as indented JSON.
 * @param {unknown} v
 */
export const pretty = (v) => (v === undefined ? '—' : JSON.stringify(v, null, 2));

/** Task statuses a task never leaves. @type {ReadonlySet<string>} */
export const TERMINAL = new Set(['completed', 'degraded', 'failed', 'cancelled']);

/**
 * The colour family of a task status or machine state: completed, degraded, failed, running, waiting, cancelled.
 * @param {string} statusOrState
 * @returns {string}
 */
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

/**
 * A coloured pill: badge('degraded').
 * @param {string} text
 * @param {string} [family] the colour family; defaults to the tone of the text
 */
export const badge = (text, family) => h('span', { class: ['badge', `tone-${family || tone(text)}`], text });

/**
 * An empty-state or error message inside a panel.
 * @param {string} text
 * @param {string} [kind] `muted` or `error`
 */
export const note = (text, kind) => h('p', { class: ['note', kind] }, text);

/**
 * What a view shows when loading failed: a sign-in hint for a 401, else the error.
 * @param {unknown} err
 * @param {string} what
 */
export const failed = (err, what) => (statusOf(err) === 401 ? note(`Sign in to see ${what}.`, 'muted') : note(messageOf(err), 'error'));

/**
 * Keeps a view's data fresh: read() now, every everyMs, and once soon() after a burst of events.
 * render(data, error) runs after each read (and once at first with nothing, to show "loading").
 * @template T
 * @param {() => Promise<T>} read
 * @param {(data: T | undefined, error: unknown) => void} render
 * @param {number} everyMs
 */
export function liveData(read, render, everyMs) {
  /** @type {T | undefined} */
  let data;
  /** @type {unknown} */
  let error;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
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
    /** @param {number} [ms] */
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

/**
 * A long id cut to its first characters, the whole id in the tooltip.
 * @param {string} id
 * @param {number} [n]
 */
export const shortId = (id, n) =>
  h('span', { class: 'mono nowrap', title: id, text: id.length > (n || 14) + 2 ? `${id.slice(0, n || 14)}…` : id });
