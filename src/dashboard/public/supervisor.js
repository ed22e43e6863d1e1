// @ts-check
/**
 * `/dashboard/supervisor.js`: the supervisor's components and their recent recoveries
 * (`GET /api/supervisor`), under the server's overall health (`GET /api/health`). A server
 * without a supervisor (404) shows "not available" instead of an error.
 * @module
 */
import { h, replace, fmtTime, fmtAgo, badge, note, failed, liveData } from './dom.js';

const RECOVERY = new Set(['recovering', 'verifying', 'healthy', 'escalated']);

function healthSection(health) {
  if (!health) return note('Loading health…');
  return h(
    'section',
    { class: 'panel' },
    h('div', { class: 'toolbar' }, h('h2', { text: 'Health' }), badge(health.status)),
    h(
      'ul',
      { class: 'tags health-components' },
      (health.components || []).map((c) =>
        h(
          'li',
          { class: 'tone-border-' + (c.status === 'healthy' ? 'completed' : c.status === 'degraded' ? 'degraded' : 'failed') },
          h('span', { class: 'dot tone-' + (c.status === 'healthy' ? 'completed' : 'failed') }),
          ' ' + c.name + (c.circuit && c.circuit !== 'closed' ? ' (circuit ' + c.circuit + ')' : ''),
        ),
      ),
    ),
  );
}

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
          const last = (c.transitions || []).slice(-1)[0];
          const health = typeof c.health === 'string' ? c.health : c.health && c.health.status;
          const check = c.lastCheck;
          return h(
            'tr',
            { 'data-component': c.name },
            h('td', { class: 'mono', text: c.name }),
            h('td', { text: c.kind || '—' }),
            h('td', {}, badge(c.state || 'unknown')),
            h('td', {}, badge(health || 'unknown')),
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
              check && check.detail ? h('div', { class: 'muted small', text: check.detail }) : '',
            ),
            h('td', { class: 'num', text: c.process ? String(c.process.restarts) : '—' }),
            h('td', { class: 'time', text: last && last.at ? fmtAgo(last.at) : '—' }),
          );
        }),
      ),
    ),
  );
}

function recoveries(list) {
  const all = [];
  for (const c of list) for (const t of c.transitions || []) all.push(Object.assign({ component: c.name }, t));
  // Newest first; seq breaks ties between transitions in the same millisecond.
  all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : (b.seq || 0) - (a.seq || 0)));
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
              (t.from || '∅') + ' → ',
              h('span', {
                class: 'tone-text-' + (t.to === 'healthy' ? 'completed' : t.to === 'escalated' ? 'failed' : 'degraded'),
                text: t.to,
              }),
            ),
            h('td', { text: [t.event, t.strategy, t.detail, t.reason].filter((x) => typeof x === 'string' && x).join(' · ') || '—' }),
          ),
        ),
      ),
    ),
  );
}

async function read(api) {
  let health;
  try {
    health = await api.get('/api/health');
  } catch (err) {
    // A 503 still carries the health report.
    if (err.status === 401) throw err;
    health = err.data || { status: 'unknown', components: [] };
  }
  try {
    return { health, sup: await api.get('/api/supervisor') };
  } catch (err) {
    if (err.status === 404) return { health, sup: null };
    throw err;
  }
}

export function mount(root, ctx) {
  const healthBox = h('div');
  const body = h('div', { class: 'supervisor-body' });
  root.append(healthBox, h('section', { class: 'panel' }, h('div', { class: 'toolbar' }, h('h1', { text: 'Supervisor' })), body));

  const live = liveData(
    () => read(ctx.api),
    (data, failure) => {
      replace(healthBox, healthSection(data && data.health));
      if (failure) return replace(body, failed(failure, 'the supervisor'));
      if (!data) return replace(body, note('Loading…'));
      if (data.sup === null) {
        return replace(
          body,
          h(
            'div',
            { class: 'unavailable', id: 'supervisor-unavailable' },
            note('The supervisor is not available on this server (GET /api/supervisor answered 404).', 'muted'),
          ),
        );
      }
      const list = data.sup.components || [];
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
