// @ts-check
/**
 * `/dashboard/agents.js`: one card per agent: circuit state, health, in-flight against the
 * bulkhead limit, recent error rate, and a circuit reset button for admins
 * (`POST /api/agents/:id/circuit/reset`).
 * @module
 */
import { h, replace, fmtTime, badge, note, failed, liveData } from './dom.js';

/**
 * @import { Agent, AgentList } from '../apiTypes.js'
 * @import { Mount, ViewContext } from './view.js'
 */

/**
 * A bar; widths come from classes w0…w100 because the CSP allows no inline styles.
 * @param {number} value
 * @param {number} max
 * @param {string} family its colour
 * @param {string} label
 */
function meter(value, max, family, label) {
  const pct = max > 0 ? Math.min(100, Math.max(0, Math.round((value / max) * 100))) : 0;
  return h(
    'span',
    { class: 'meter', role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': max, 'aria-valuenow': value },
    h('span', { class: ['fill', `tone-${family}`, `w${Math.round(pct / 5) * 5}`] }),
  );
}

/** @param {number} r */
const rateTone = (r) => (r >= 0.5 ? 'failed' : r >= 0.1 ? 'degraded' : 'completed');

/**
 * @param {Agent} a
 * @param {ViewContext} ctx
 * @param {() => void} reload
 */
function card(a, ctx, reload) {
  const rate = a.recentErrorRate;
  const inFlight = a.inFlight;
  const max = a.maxConcurrency;
  const circuit = a.circuit.state;
  const health = a.health.status;
  const reset = h(
    'button',
    {
      type: 'button',
      class: 'reset',
      'data-reset': a.id,
      disabled: circuit === 'closed',
      title: circuit === 'closed' ? 'The circuit is closed' : 'Close the circuit now (admin)',
      onclick: async () => {
        reset.disabled = true;
        try {
          await ctx.api.post(`/api/agents/${encodeURIComponent(a.id)}/circuit/reset`);
          ctx.toast(`Circuit of ${a.id} reset`, 'ok');
        } catch (err) {
          ctx.toast(ctx.api.adminFailure(err, 'Resetting a circuit', 'Reset'), 'error');
        }
        reload();
      },
    },
    'Reset circuit',
  );
  return h(
    'article',
    { class: ['card', 'agent', `circuit-${circuit}`], 'data-agent': a.id },
    h('header', {}, h('h2', { class: 'mono', text: a.id }), h('div', { class: 'spacer' }), a.drained ? badge('drained', 'waiting') : ''),
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'Circuit' }),
      h(
        'dd',
        { class: 'circuit' },
        badge(circuit),
        a.circuit.openUntil ? h('span', { class: 'muted small', text: ` until ${fmtTime(a.circuit.openUntil)}` }) : '',
      ),
      h('dt', { text: 'Health' }),
      h('dd', { class: 'health' }, badge(health)),
      h('dt', { text: 'In flight' }),
      h(
        'dd',
        { class: 'inflight' },
        h('span', { class: 'big num', text: `${inFlight} / ${max}` }),
        a.queued ? h('span', { class: 'muted small', text: ` +${a.queued} queued` }) : '',
        meter(inFlight, max, inFlight >= max && max > 0 ? 'degraded' : 'running', 'in flight'),
      ),
      h('dt', { text: 'Error rate' }),
      h(
        'dd',
        { class: 'error-rate' },
        h('span', { class: ['big', 'num', `tone-text-${rateTone(rate)}`], text: `${Math.round(rate * 100)}%` }),
        h('span', { class: 'muted small', text: ' of recent calls' }),
        meter(rate * 100, 100, rateTone(rate), 'recent error rate'),
      ),
    ),
    a.capabilities.length
      ? h(
          'ul',
          { class: 'tags' },
          a.capabilities.map((c) => h('li', { text: c })),
        )
      : '',
    h('footer', {}, reset),
  );
}

/** @type {Mount} */
export function mount(root, ctx) {
  const grid = h('div', { class: 'cards' });
  root.append(
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'toolbar' },
        h('h1', { text: 'Agents' }),
        h('div', { class: 'spacer' }),
        h('span', { class: 'muted small', text: 'Reset needs the admin token when WARDEN_ADMIN_TOKEN is set.' }),
      ),
      grid,
    ),
  );

  const live = liveData(
    async () => /** @type {AgentList} */ (await ctx.api.get('/api/agents')).agents,
    (agents, failure) => {
      if (failure) replace(grid, failed(failure, 'agents'));
      else if (!agents) replace(grid, note('Loading agents…'));
      else if (!agents.length) replace(grid, note('No agents configured.'));
      else
        replace(
          grid,
          agents.map((a) => card(a, ctx, live.load)),
        );
    },
    2000,
  );

  return {
    title: 'Agents',
    onTransition: () => live.soon(300),
    onEvent(type) {
      if (type === 'circuit' || type === 'supervisor') live.load();
    },
    refresh: live.load,
    unmount: live.stop,
  };
}
