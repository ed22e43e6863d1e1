// @ts-check
/**
 * `/dashboard/run.js`: the steps of a run on its task page: the graph of steps (rungraph.js),
 * a legend, and a table of the steps that links every task of every step, forEach items included.
 * The section lives as long as the page: the task page hands it each fresh read of the run and
 * its transitions, and it repaints the same drawing.
 * @module
 */
import { h, replace, badge, note, failed } from './dom.js';
import { drawRunGraph, paintRunGraph, STEP_ENDED, stepStates, stepTone } from './rungraph.js';

/**
 * @import { RunGraph, Task, Transition } from '../apiTypes.js'
 * @import { StepState } from './rungraph.js'
 * @import { ViewContext } from './view.js'
 */

/** The statuses of the legend, in the order a step goes through them. */
const LEGEND = ['pending', 'running', 'completed', 'degraded', 'failed', 'skipped', 'cancelled'];

/** forEach items linked one by one in the table; the rest are counted. */
const MAX_ITEM_LINKS = 40;

/**
 * Links to a step's tasks: its one task by id, or a forEach step's items by index.
 * @param {Task} run
 * @param {string} step
 * @param {StepState} st
 * @param {boolean} forEach
 */
function taskLinks(run, step, st, forEach) {
  if (!st.taskIds.length) return h('span', { class: 'muted', text: '—' });
  /** @param {string} id */
  const href = (id) => `#/tasks/${encodeURIComponent(id)}`;
  const first = st.taskIds[0] || '';
  // A step's task id is the run's id and more: the rest is what tells the steps apart.
  if (!forEach)
    return h('a', {
      href: href(first),
      class: 'mono',
      title: first,
      text: first.startsWith(`${run.id}.`) ? `….${first.slice(run.id.length + 1)}` : first,
    });
  const prefix = `${run.id}.${step}.`;
  const shown = st.taskIds.slice(0, MAX_ITEM_LINKS);
  return h(
    'span',
    { class: 'item-links' },
    shown.map((id, i) =>
      h('a', { href: href(id), class: 'mono', title: id, text: `#${id.startsWith(prefix) ? id.slice(prefix.length) : i}` }),
    ),
    st.taskIds.length > shown.length ? h('span', { class: 'muted', text: `+${st.taskIds.length - shown.length} more` }) : '',
  );
}

/**
 * @param {Task} run
 * @param {readonly { id: string, kind?: string, target?: string, forEach?: string }[]} nodes
 * @param {ReadonlyMap<string, StepState>} states
 */
function stepsTable(run, nodes, states) {
  return h(
    'table',
    { class: 'steps', id: 'run-steps' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Step', 'Runs', 'Status', 'Items done', 'Tasks', 'Error'].map((c) => h('th', { scope: 'col', text: c })),
      ),
    ),
    h(
      'tbody',
      {},
      nodes.map((n) => {
        const st = states.get(n.id);
        if (!st) return '';
        return h(
          'tr',
          { 'data-step': n.id, 'data-status': st.status },
          h('td', { class: 'mono', text: n.id }),
          h('td', { class: 'muted', text: n.kind ? `${n.kind} ${n.target}` : '' }),
          h('td', {}, badge(st.status, stepTone(st.status))),
          h('td', { class: 'num', text: st.total === undefined ? '' : `${st.done}/${st.total}` }),
          h('td', {}, taskLinks(run, n.id, st, !!n.forEach)),
          h('td', { class: 'mono error' }, st.error ? h('span', { title: st.error.message || '', text: st.error.code }) : ''),
        );
      }),
    ),
  );
}

/**
 * The steps section of a run's page. It reads the run's graph once, and draws it as soon as both
 * the graph and a read of the run are at hand; without the graph, the table still lists the steps.
 * @param {ViewContext} ctx
 * @param {string} workflow
 */
export function runSteps(ctx, workflow) {
  /** @type {RunGraph | undefined} */
  let graph;
  /** @type {SVGSVGElement | undefined} */
  let svg;
  /** @type {{ run: Task, transitions: readonly Transition[] } | undefined} */
  let last;
  const chart = h('div', { class: 'chart-wrap' }, note('Loading the graph of steps…', 'muted'));
  const table = h('div', { class: 'table-wrap' });
  const count = h('span', { class: 'n' });
  const element = h(
    'section',
    { class: 'panel run-steps' },
    h('h2', {}, 'Steps ', count),
    chart,
    h(
      'ul',
      { class: 'legend step-legend' },
      LEGEND.map((st) => h('li', { class: `tone-${stepTone(st)} status-${st}` }, h('i'), st)),
    ),
    table,
  );

  function paint() {
    if (!last) return;
    const { run, transitions } = last;
    const nodes = graph ? graph.nodes : Object.keys(run.steps || {}).map((id) => ({ id }));
    const states = stepStates(nodes, run, transitions);
    if (svg) paintRunGraph(svg, states);
    const ended = [...states.values()].filter((st) => STEP_ENDED.has(st.status));
    count.textContent = `${ended.length}/${states.size} ended`;
    replace(table, stepsTable(run, nodes, states));
  }

  ctx.api
    .get(`/api/workflows/${encodeURIComponent(workflow)}/graph`)
    .then((g) => {
      graph = /** @type {RunGraph} */ (g);
      svg = drawRunGraph(graph);
      replace(chart, svg);
      paint();
    })
    .catch((err) => replace(chart, failed(err, 'the graph of steps')));

  return {
    element,
    /**
     * Repaints with a fresh read of the run and its transitions.
     * @param {Task} run
     * @param {readonly Transition[]} transitions
     */
    update(run, transitions) {
      last = { run, transitions };
      paint();
    },
  };
}
