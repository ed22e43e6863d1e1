// @ts-check
/**
 * `/dashboard/supervisor.js`: the supervisor's components and their recent recoveries
 * (`GET /api/supervisor`), under the server's overall health (`GET /api/health`). A server
 * without a supervisor (404) shows "not available" instead of an error.
 * @module
 */
import { h, replace, fmtTime, fmtAgo, badge, note, failed, liveData } from './dom.js';

/**
 * @import { Health, SupervisedComponent, SupervisedComponentList, SupervisorEvent } from '../apiTypes.js'
 * @import { Mount, ViewContext } from './view.js'
 */

/**
 * The health report, or a stand-in when the server gave none (it is down, or answered an error).
 * @typedef {Health | { status: 'unknown', components: Health['components'] }} HealthShown
 */

/**
 * The tone of a component's status; `unknown` (not checked yet) is neither good nor bad.
 * @type {Readonly<Record<Health['components'][number]['status'], string>>}
 */
const TONE = { healthy: 'completed', degraded: 'degraded', unhealthy: 'failed', unknown: 'queued' };

/** @type {ReadonlySet<string>} */
const RECOVERY = new Set(['recovering', 'verifying', 'healthy', 'escalated']);

/** @param {HealthShown | undefined} health */
function healthSection(health) {
  if (!health) return note('Loading health…');
  return h(
    'section',
    { class: 'panel' },
    h('div', { class: 'toolbar' }, h('h2', { text: 'Health' }), badge(health.status)),
    h(
      'ul',
      { class: 'tags health-components' },
      health.components.map((c) =>
        h(
          'li',
          { class: `tone-border-${TONE[c.status]}`, 'data-component': c.name },
          h('span', { class: `dot tone-${TONE[c.status]}` }),
          ` ${c.name}${c.kind === 'agent' && c.circuit !== 'closed' ? ` (circuit ${c.circuit})` : ''}`,
        ),
      ),
    ),
  );
}

/** @param {readonly SupervisedComponent[]} list */
function components(list) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'components', id: 'components' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Component', 'Kind', 'State', 'Health', 'Check', 'Last check', 'Restarts', 'Last change'].map((c) =>
            h('th', { scope: 'col', text: c }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        list.map((c) => {
          const last = c.transitions.at(-1);
          const check = c.lastCheck;
          return h(
            'tr',
            { 'data-component': c.name },
            h('td', { class: 'mono', text: c.name }),
            h('td', { text: c.kind }),
            h('td', {}, badge(c.state)),
            h('td', {}, badge(c.health)),
            h('td', { class: 'mono', text: c.check || '—' }),
            h(
              'td',
              {},
              check
                ? h('span', {
                    class: check.ok ? 'tone-text-completed' : 'tone-text-failed',
                    text: (check.ok ? '✓ ' : '✗ ') + fmtAgo(check.at),
                  })
                : '—',
              check?.detail ? h('div', { class: 'muted small', text: check.detail }) : '',
            ),
            h('td', { class: 'num', text: c.process ? String(c.process.restarts) : '—' }),
            h('td', { class: 'time', text: last ? fmtAgo(last.at) : '—' }),
          );
        }),
      ),
    ),
  );
}

/** @param {readonly SupervisedComponent[]} list */
function recoveries(list) {
  /** @type {SupervisorEvent[]} */
  const all = list.flatMap((c) => c.transitions);
  // Newest first; seq breaks ties between transitions in the same millisecond.
  all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.seq - a.seq));
  const recent = all.filter((t) => RECOVERY.has(t.to) || RECOVERY.has(t.from)).slice(0, 50);
  if (!recent.length) return note('No recoveries yet.', 'muted');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'recoveries' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Time', 'Component', 'Transition', 'Why'].map((c) => h('th', { scope: 'col', text: c })),
        ),
      ),
      h(
        'tbody',
        {},
        recent.map((t) =>
          h(
            'tr',
            { class: t.to === 'healthy' ? 'recovered' : t.to === 'escalated' ? 'escalated' : '' },
            h('td', { class: 'time', text: fmtTime(t.at) }),
            h('td', { class: 'mono', text: t.component }),
            h(
              'td',
              { class: 'mono' },
              `${t.from || '∅'} → `,
              h('span', {
                class: `tone-text-${t.to === 'healthy' ? 'completed' : t.to === 'escalated' ? 'failed' : 'degraded'}`,
                text: t.to,
              }),
            ),
            h('td', { text: [t.event, t.strategy, t.detail].filter(Boolean).join(' · ') || '—' }),
          ),
        ),
      ),
    ),
  );
}

/**
 * The health report and the supervisor's components; `sup` is null on a server without `GET /api/supervisor`.
 * @param {ViewContext['api']} api
 * @returns {Promise<{ health: HealthShown, sup: SupervisedComponentList | null }>}
 */
async function read(api) {
  /** @type {HealthShown} */
  let health;
  try {
    health = /** @type {Health} */ (await api.get('/api/health'));
  } catch (err) {
    const status = api.statusOf(err);
    if (status === 401) throw err;
    // A 503 (unhealthy) still carries the health report; any other failure carries none.
    health =
      status === 503 && err instanceof api.ApiError && err.data ? /** @type {Health} */ (err.data) : { status: 'unknown', components: [] };
  }
  try {
    return { health, sup: /** @type {SupervisedComponentList} */ (await api.get('/api/supervisor')) };
  } catch (err) {
    if (api.statusOf(err) === 404) return { health, sup: null };
    throw err;
  }
}

/** @type {Mount} */
export function mount(root, ctx) {
  const healthBox = h('div');
  const body = h('div', { class: 'supervisor-body' });
  root.append(healthBox, h('section', { class: 'panel' }, h('div', { class: 'toolbar' }, h('h1', { text: 'Supervisor' })), body));

  const live = liveData(
    () => read(ctx.api),
    (data, failure) => {
      replace(healthBox, healthSection(data?.health));
      if (failure) {
        replace(body, failed(failure, 'the supervisor'));
        return;
      }
      if (!data) {
        replace(body, note('Loading…'));
        return;
      }
      if (data.sup === null) {
        replace(
          body,
          h(
            'div',
            { class: 'unavailable', id: 'supervisor-unavailable' },
            note('The supervisor is not available on this server (GET /api/supervisor answered 404).', 'muted'),
          ),
        );
        return;
      }
      const list = data.sup.components;
      replace(
        body,
        list.length ? components(list) : note('The supervisor watches no components.', 'muted'),
        h('h2', { class: 'section-gap', text: 'Recent recoveries' }),
        recoveries(list),
      );
    },
    3000,
  );

  return {
    title: 'Supervisor',
    onEvent(type) {
      if (type === 'supervisor') live.load();
    },
    refresh: live.load,
    unmount: live.stop,
  };
}
