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

// Set once per document: a test (or a curious operator) can tell that the page never reloaded.
window.__loadedAt = window.__loadedAt || Date.now();

const $ = (id) => document.getElementById(id);
const main = $('view');
const VIEWS = { tasks: tasks.mount, task: task.mount, agents: agents.mount, escalations: escalations.mount, supervisor: supervisor.mount };

function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path[0] === 'tasks' && path[1]) return { name: 'task', nav: 'tasks', params: { id: path[1] }, query };
  if (VIEWS[path[0]] && path[0] !== 'task') return { name: path[0], nav: path[0], params: {}, query };
  return { name: 'tasks', nav: 'tasks', params: {}, query };
}

// ---- toasts ----
function toast(message, kind) {
  const el = h('div', { class: ['toast', kind || 'info'], role: kind === 'error' ? 'alert' : 'status', text: message });
  $('toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// ---- the lifecycle graph, read once ----
let graphPromise;
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
let current;
let currentRoute;
function show() {
  if (current && current.unmount) current.unmount();
  currentRoute = route();
  for (const a of document.querySelectorAll('#nav a'))
    a.setAttribute('aria-current', a.dataset.view === currentRoute.nav ? 'page' : 'false');
  replace(main);
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
      history.replaceState(null, '', base + (qs.toString() ? '?' + qs : ''));
    },
  };
  current = VIEWS[currentRoute.name](main, ctx);
  document.title = (current.title ? current.title + ' · ' : '') + 'Warden';
  refreshBadges();
}
window.addEventListener('hashchange', show);

// ---- live updates ----
let stream;
function setConn(state) {
  const el = $('conn');
  el.dataset.conn = state;
  el.textContent = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', unauthorized: 'signed out' }[state] || state;
}
let badgeTimer;
function connect() {
  if (stream) stream.close();
  stream = api.connectEvents({
    onTransition(e) {
      if (current && current.onTransition) current.onTransition(e);
      if (['completed', 'degraded', 'failed', 'cancelled'].includes(e.to) && !badgeTimer) {
        badgeTimer = setTimeout(() => {
          badgeTimer = undefined;
          refreshBadges();
        }, 500);
      }
    },
    onEvent(type, data) {
      if (current && current.onEvent) current.onEvent(type, data);
      if (type === 'escalation') refreshBadges();
    },
    onStatus: setConn,
    onResume() {
      if (current && current.refresh) current.refresh();
    },
  });
}

/** The open-escalation count in the nav: what a wall screen most needs to shout about. */
async function refreshBadges() {
  if (!$('login').hidden) return;
  const el = $('open-escalations');
  try {
    const res = await api.get('/api/escalations?status=open&limit=1000');
    el.textContent = String(res.escalations.length);
    el.hidden = res.escalations.length === 0;
  } catch {
    el.hidden = true;
  }
}
setInterval(refreshBadges, 10000);

// ---- sign-in ----
function showLogin(message) {
  const box = $('login');
  $('login-reason').textContent = message || 'This Warden needs an API token.';
  if (!box.hidden) return;
  box.hidden = false;
  setConn('unauthorized');
  if (stream) {
    stream.close();
    stream = undefined;
  }
  const input = $('token');
  input.value = '';
  input.focus();
}
api.whenUnauthorized(showLogin);
$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = $('token').value.trim();
  if (!value) return;
  api.token.set(value);
  $('token').value = '';
  $('login').hidden = true;
  $('sign-out').hidden = false;
  connect();
  show();
});
$('sign-out').addEventListener('click', () => {
  api.token.clear();
  $('sign-out').hidden = true;
  showLogin('Signed out. Enter the API token to continue.');
});
$('sign-out').hidden = !api.token.get();

// ---- wall-screen comforts ----
const LARGE_KEY = 'warden.largeType';
function setLarge(on) {
  document.documentElement.classList.toggle('large', on);
  $('large-toggle').setAttribute('aria-pressed', String(on));
  try {
    localStorage.setItem(LARGE_KEY, on ? '1' : '');
  } catch {
    /* storage may be off */
  }
}
$('large-toggle').addEventListener('click', () => setLarge(!document.documentElement.classList.contains('large')));
try {
  setLarge(localStorage.getItem(LARGE_KEY) === '1' || new URLSearchParams(location.search).has('large'));
} catch {
  setLarge(false);
}

const clock = $('clock');
const tick = () => {
  const d = new Date();
  clock.textContent = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  clock.dateTime = d.toISOString();
};
tick();
setInterval(tick, 1000);

connect();
show();
