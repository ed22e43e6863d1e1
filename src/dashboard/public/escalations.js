// @ts-check
/**
 * `/dashboard/escalations.js`: open, acknowledged and resolved escalations, with an ack button
 * (`POST /api/escalations/:id/ack`). The task page reuses `escalationTable` for its own.
 * @module
 */
import { h, replace, fmtTime, badge, note, failed, shortId, liveData } from './dom.js';

/**
 * @import { Escalation, EscalationList } from '../apiTypes.js'
 * @import { Mount, ViewContext } from './view.js'
 */

/** @typedef {(id: string, button: HTMLButtonElement) => Promise<void>} OnAck */

/** @type {Record<Escalation['severity'], number>} */
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

/** @param {Escalation} e */
function channels(e) {
  return h(
    'ul',
    { class: 'channels' },
    e.channels.map((c) =>
      h(
        'li',
        {
          class: ['channel', c.delivered ? 'delivered' : c.status === 'failed' ? 'undelivered' : 'pending'],
          title:
            (c.lastError ? `last error: ${c.lastError}; ` : '') +
            c.attempts +
            ' send attempt(s)' +
            (c.fallbackFor ? `; fallback for ${c.fallbackFor}` : ''),
        },
        h('span', { class: 'mark', text: c.delivered ? '✓' : c.status === 'failed' ? '✗' : '…' }),
        ` ${c.channel}`,
      ),
    ),
  );
}

/**
 * Acks an escalation; resolves true when the API accepted it.
 * @param {ViewContext} ctx
 * @param {string} id
 * @param {HTMLButtonElement} [button] disabled while the request runs, and again once it succeeded
 */
export async function ack(ctx, id, button) {
  if (button) button.disabled = true;
  try {
    await ctx.api.post(`/api/escalations/${encodeURIComponent(id)}/ack`, { by: 'dashboard' });
    ctx.toast(`Escalation ${id} acknowledged`, 'ok');
    return true;
  } catch (err) {
    if (button) button.disabled = false;
    ctx.toast(ctx.api.adminFailure(err, 'Acknowledging', 'Ack'), 'error');
    return false;
  }
}

/**
 * A table of escalations. onAck(id, button) is called by each row's ack button.
 * @param {readonly Escalation[]} list
 * @param {OnAck} onAck
 * @param {{ showTask?: boolean }} [opts] `showTask: false` leaves out the task column (on a task's own page)
 */
export function escalationTable(list, onAck, opts) {
  const showTask = opts?.showTask !== false;
  return h(
    'table',
    { class: 'escalations' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Severity', 'Status', 'Escalation', 'Workflow', showTask ? 'Task' : null, 'Outcome', 'Agents tried', 'Channels', 'When', '']
          .filter((c) => c !== null)
          .map((c) => h('th', { scope: 'col', text: c })),
      ),
    ),
    h(
      'tbody',
      {},
      list.map((e) => row(e, showTask, onAck)),
    ),
  );
}

/**
 * @param {Escalation} e
 * @param {boolean} showTask
 * @param {OnAck} onAck
 */
function row(e, showTask, onAck) {
  return h(
    'tr',
    { 'data-id': e.id, 'data-status': e.status, class: `sev-${e.severity}` },
    h('td', {}, badge(e.severity)),
    h('td', { class: 'status' }, badge(e.status)),
    h('td', { class: 'id' }, shortId(e.id, 12)),
    h('td', { text: e.workflow || '—' }),
    showTask
      ? h(
          'td',
          { class: 'nowrap' },
          e.taskId ? h('a', { href: `#/tasks/${encodeURIComponent(e.taskId)}` }, shortId(e.taskId, 8)) : '—',
          e.count > 1 ? h('span', { class: 'count-tag', text: `×${e.count}`, title: `${e.count} tasks grouped` }) : '',
        )
      : null,
    h(
      'td',
      { class: 'outcome' },
      e.outcome ? badge(e.outcome) : '—',
      h('div', { class: 'error-code mono', text: e.finalErrorCode || e.errorCodes.join(', ') || '' }),
    ),
    h('td', { class: 'agents-tried', text: e.agentsTried.join(' → ') || '—' }),
    h('td', {}, channels(e)),
    h('td', { class: 'when' }, h('div', { class: 'time', text: fmtTime(e.createdAt) }), handled(e)),
    h(
      'td',
      { class: 'actions' },
      e.status === 'open'
        ? h(
            'button',
            {
              type: 'button',
              class: 'ack',
              'data-ack': e.id,
              onclick: (ev) => onAck(e.id, /** @type {HTMLButtonElement} */ (ev.currentTarget)),
            },
            'Ack',
          )
        : '',
    ),
  );
}

/**
 * Who handled an escalation and when, under the time it was raised: one column for both keeps
 * the table within a laptop's width.
 * @param {Escalation} e
 */
function handled(e) {
  if (e.status === 'resolved') {
    const by = e.resolvedBy
      ? ` by ${e.resolvedBy}`
      : e.resolvedByTask
        ? [' by task ', h('a', { href: `#/tasks/${encodeURIComponent(e.resolvedByTask)}` }, shortId(e.resolvedByTask, 8))]
        : '';
    return h('div', { class: 'handled' }, `resolved ${fmtTime(e.resolvedAt)}`, by);
  }
  if (e.status === 'acknowledged')
    return h('div', { class: 'handled' }, `acked ${fmtTime(e.ackedAt)}${e.ackedBy ? ` by ${e.ackedBy}` : ''}`);
  return '';
}

/** @type {readonly [Escalation['status'], string, string][]} */
const GROUPS = [
  ['open', 'Open', 'Nobody has acknowledged these yet.'],
  ['acknowledged', 'Acknowledged', 'Someone is on it.'],
  ['resolved', 'Resolved', 'Closed by hand or by a later success of the same workflow.'],
];

/** @type {Mount} */
export function mount(root, ctx) {
  const body = h('div', { class: 'escalation-groups' });
  root.append(h('section', { class: 'panel' }, h('div', { class: 'toolbar' }, h('h1', { text: 'Escalations' })), body));

  /** @type {OnAck} */
  const onAck = async (id, button) => {
    if (await ack(ctx, id, button)) live.load();
  };
  const live = liveData(
    async () => /** @type {EscalationList} */ (await ctx.api.get('/api/escalations?limit=500')).escalations,
    (list, failure) => {
      if (failure) {
        replace(body, failed(failure, 'escalations'));
        return;
      }
      if (!list) {
        replace(body, note('Loading escalations…'));
        return;
      }
      const sorted = list
        .slice()
        .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.createdAt < b.createdAt ? 1 : -1));
      replace(
        body,
        GROUPS.map(([st, title, hint]) => {
          const group = sorted.filter((e) => e.status === st);
          return h(
            'section',
            { class: ['group', `group-${st}`], 'data-group': st },
            h('h2', {}, `${title} `, h('span', { class: 'n', text: String(group.length) })),
            h('p', { class: 'hint', text: hint }),
            group.length
              ? h('div', { class: 'table-wrap' }, escalationTable(group, onAck))
              : note(st === 'open' ? 'No open escalations. All quiet.' : 'None.', 'muted'),
          );
        }),
      );
    },
    5000,
  );

  return {
    title: 'Escalations',
    // A task that ends degraded or failed may open (or group into) an escalation.
    onTransition(e) {
      if (['completed', 'degraded', 'failed'].includes(e.to)) live.soon(400);
    },
    onEvent(type) {
      if (type === 'escalation') live.load();
    },
    refresh: live.load,
    unmount: live.stop,
  };
}
