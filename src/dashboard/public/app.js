// @ts-check
/**
 * `/dashboard/app.js`: the dashboard's entry module. A hash router (`#/tasks`, `#/tasks/<id>`,
 * `#/agents`, `#/escalations`, `#/supervisor`) mounts one view at a time; one event stream feeds
 * whichever view is mounted, so the page never reloads. Shows the token form on a 401.
 * @module
 */
import { h, replace } from './dom.js';
import * as api from './api.js';
import * as tasks from './tasks.js';
import * as task from './task.js';
import * as agents from './agents.js';
import * as escalations from './escalations.js';
import * as supervisor from './supervisor.js';

/**
 * @import { EscalationList, LifecycleGraph } from '../apiTypes.js'
 * @import { StreamStatus } from './api.js'
 * @import { Mount, View, ViewContext } from './view.js'
 */

// Set once per document: a test (or a curious operator) can tell that the page never reloaded.
const page = /** @type {Window & { __loadedAt?: number }} */ (window);
page.__loadedAt = page.__loadedAt || Date.now();

/**
 * An element of the page by id, of the type the code expects; a loud error if index.html lost it.
 * @template {HTMLElement} E
 * @param {string} id
 * @param {{ new (): E, name: string }} type
 * @returns {E}
 */
function $(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html has no ${type.name} #${id}`);
  return el;
}
const main = $('view', HTMLElement);
/** The views by route name. A Map, so a hash such as `#/constructor` names no view. @type {ReadonlyMap<string, Mount>} */
const VIEWS = new Map([
  ['tasks', tasks.mount],
  ['task', task.mount],
  ['agents', agents.mount],
  ['escalations', escalations.mount],
  ['supervisor', supervisor.mount],
]);

/** @typedef {{ name: string, nav: string, params: ViewContext['params'], query: URLSearchParams }} Route */

/** @returns {Route} */
function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path[0] === 'tasks' && path[1]) return { name: 'task', nav: 'tasks', params: { id: path[1] }, query };
  if (path[0] && VIEWS.has(path[0]) && path[0] !== 'task') return { name: path[0], nav: path[0], params: {}, query };
  return { name: 'tasks', nav: 'tasks', params: {}, query };
}

// ---- toasts ----
/** @type {ViewContext['toast']} */
function toast(message, kind) {
  const el = h('div', { class: ['toast', kind || 'info'], role: kind === 'error' ? 'alert' : 'status', text: message });
  $('toasts', HTMLElement).append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// ---- the lifecycle graph, read once ----
/** @type {Promise<LifecycleGraph> | undefined} */
let graphPromise;
/** @returns {Promise<LifecycleGraph>} */
const graph = () => {
  graphPromise =
    graphPromise ||
    fetch('/dashboard/lifecycle.json').then((r) => {
      if (!r.ok) throw new Error('cannot load the lifecycle graph');
      return r.json();
    });
  graphPromise.catch(() => {
    graphPromise = undefined;
  });
  return graphPromise;
};

// ---- views ----
/** @type {View | undefined} */
let current;
function show() {
  if (current?.unmount) current.unmount();
  const currentRoute = route();
  for (const a of $('nav', HTMLElement).querySelectorAll('a'))
    a.setAttribute('aria-current', a.dataset.view === currentRoute.nav ? 'page' : 'false');
  replace(main);
  /** @type {ViewContext} */
  const ctx = {
    api,
    params: currentRoute.params,
    query: currentRoute.query,
    graph,
    toast,
    go: (hash) => {
      location.hash = hash;
    },
    setQuery(values) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(values)) if (v) qs.set(k, v);
      const base = location.hash.split('?')[0] || '#/tasks';
      // replaceState: filters should not pile up history entries, nor fire hashchange.
      history.replaceState(null, '', base + (qs.toString() ? `?${qs}` : ''));
    },
  };
  const mount = VIEWS.get(currentRoute.name) || tasks.mount;
  current = mount(main, ctx);
  document.title = `${current.title ? `${current.title} · ` : ''}Warden`;
  refreshBadges();
}
window.addEventListener('hashchange', show);

// ---- live updates ----
/** @type {{ close(): void } | undefined} */
let stream;
/** @type {Record<StreamStatus, string>} */
const CONN_TEXT = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', unauthorized: 'signed out' };
/** @param {StreamStatus} state */
function setConn(state) {
  const el = $('conn', HTMLElement);
  el.dataset.conn = state;
  el.textContent = CONN_TEXT[state];
}
/** @type {ReturnType<typeof setTimeout> | undefined} */
let badgeTimer;
function connect() {
  if (stream) stream.close();
  stream = api.connectEvents({
    onTransition(e) {
      if (current?.onTransition) current.onTransition(e);
      if (['completed', 'degraded', 'failed', 'cancelled'].includes(e.to) && !badgeTimer) {
        badgeTimer = setTimeout(() => {
          badgeTimer = undefined;
          refreshBadges();
        }, 500);
      }
    },
    onEvent(type, data) {
      if (current?.onEvent) current.onEvent(type, data);
      if (type === 'escalation') refreshBadges();
    },
    onStatus: setConn,
    onResume() {
      if (current?.refresh) current.refresh();
    },
  });
}

/** The open-escalation count in the nav: what a wall screen most needs to shout about. */
async function refreshBadges() {
  if (!$('login', HTMLElement).hidden) return;
  const el = $('open-escalations', HTMLElement);
  try {
    const res = /** @type {EscalationList} */ (await api.get('/api/escalations?status=open&limit=1000'));
    el.textContent = String(res.escalations.length);
    el.hidden = res.escalations.length === 0;
  } catch {
    el.hidden = true;
  }
}
setInterval(refreshBadges, 10000);

// ---- sign-in ----
/** @param {string} [message] */
function showLogin(message) {
  const box = $('login', HTMLElement);
  $('login-reason', HTMLElement).textContent = message || 'This Warden needs an API token.';
  if (!box.hidden) return;
  box.hidden = false;
  setConn('unauthorized');
  if (stream) {
    stream.close();
    stream = undefined;
  }
  const input = $('token', HTMLInputElement);
  input.value = '';
  input.focus();
}
api.whenUnauthorized(showLogin);
$('login-form', HTMLFormElement).addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = $('token', HTMLInputElement);
  const value = input.value.trim();
  if (!value) return;
  api.token.set(value);
  input.value = '';
  $('login', HTMLElement).hidden = true;
  $('sign-out', HTMLButtonElement).hidden = false;
  connect();
  show();
});
$('sign-out', HTMLButtonElement).addEventListener('click', () => {
  api.token.clear();
  $('sign-out', HTMLButtonElement).hidden = true;
  showLogin('Signed out. Enter the API token to continue.');
});
$('sign-out', HTMLButtonElement).hidden = !api.token.get();

// ---- wall-screen comforts ----
const LARGE_KEY = 'warden.largeType';
/** @param {boolean} on */
function setLarge(on) {
  document.documentElement.classList.toggle('large', on);
  $('large-toggle', HTMLButtonElement).setAttribute('aria-pressed', String(on));
  try {
    localStorage.setItem(LARGE_KEY, on ? '1' : '');
  } catch {
    /* storage may be off */
  }
}
$('large-toggle', HTMLButtonElement).addEventListener('click', () => setLarge(!document.documentElement.classList.contains('large')));
try {
  setLarge(localStorage.getItem(LARGE_KEY) === '1' || new URLSearchParams(location.search).has('large'));
} catch {
  setLarge(false);
}

const clock = $('clock', HTMLTimeElement);
const tick = () => {
  const d = new Date();
  clock.textContent = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  clock.dateTime = d.toISOString();
};
tick();
setInterval(tick, 1000);

connect();
show();
