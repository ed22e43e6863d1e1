// @ts-check
/**
 * `/dashboard/rungraph.js`: draws a run's graph of steps as an inline SVG, from the layout the
 * server computed (`GET /api/workflows/:name/graph`), and paints it with where each step is.
 *
 * The drawing is made once per page ({@link drawRunGraph}) and repainted in place on each update
 * ({@link paintRunGraph}), so a wall screen keeps its hover and focus while a run moves along.
 * Each box is coloured by its step's status (`data-status` and class `status-<status>`), shows
 * done/total under `forEach`, and links to its step's task: the only one, or for a `forEach`
 * step the first item's (the steps table below the graph links every item).
 * @module
 */
import { s } from './dom.js';

/**
 * @import { RunGraph, Task, Transition } from '../apiTypes.js'
 */

/** @typedef {RunGraph['nodes'][number]} GraphNode */
/** @typedef {{ x: number, y: number }} Point */

/**
 * Where one step is, as the graph and the steps table show it.
 * @typedef {object} StepState
 * @property {string} status pending, ready, running, completed, degraded, failed, skipped or cancelled
 * @property {readonly string[]} taskIds the step's tasks, one per item under forEach
 * @property {number} done items whose task ended (forEach steps)
 * @property {number | undefined} total the item count of a forEach step once resolved; undefined otherwise
 * @property {{ code: string, message?: string } | undefined} error the step's failure
 */

/** Statuses a step never leaves. @type {ReadonlySet<string>} */
export const STEP_ENDED = new Set(['completed', 'degraded', 'failed', 'skipped', 'cancelled']);

/**
 * Each step's state, from the run (its `steps`) and the run's own transitions, which count a
 * `forEach` step's items (STEP_RESOLVED) and the items whose task ended (CHILD_ENDED).
 * @param {readonly Pick<GraphNode, 'id' | 'forEach'>[]} nodes the steps (only `forEach` matters of their shape)
 * @param {Task} run
 * @param {readonly Transition[]} transitions
 * @returns {Map<string, StepState>}
 */
export function stepStates(nodes, run, transitions) {
  /** @type {Map<string, number>} */
  const items = new Map();
  /** @type {Map<string, Set<number>>} */
  const ended = new Map();
  for (const tr of transitions) {
    const step = tr.detail?.step;
    if (step === undefined) continue;
    if (tr.event === 'STEP_RESOLVED' && tr.detail?.items !== undefined) items.set(step, tr.detail.items);
    if (tr.event === 'CHILD_ENDED') ended.set(step, (ended.get(step) || new Set()).add(tr.detail?.index ?? 0));
  }
  /** @type {Map<string, StepState>} */
  const states = new Map();
  for (const node of nodes) {
    const step = run.steps?.[node.id];
    states.set(node.id, {
      status: step?.status || 'pending',
      taskIds: step?.taskIds || [],
      done: ended.get(node.id)?.size || 0,
      total: node.forEach ? items.get(node.id) : undefined,
      error: step?.error,
    });
  }
  return states;
}

/**
 * The colour family of a step status (see `tone` in dom.js for tasks).
 * @param {string} status
 */
export function stepTone(status) {
  switch (status) {
    case 'completed':
    case 'degraded':
    case 'failed':
    case 'cancelled':
      return status;
    case 'ready':
    case 'running':
      return 'running';
    case 'skipped':
      return 'waiting';
    default:
      return 'queued';
  }
}

/** The markers of a box's status line: what shapes the step, beyond what it runs. @param {GraphNode} n */
const markers = (n) =>
  [n.forEach ? `each ≤${n.maxParallel ?? ''}` : '', n.when ? 'when' : '', n.onFailure === 'continue' ? 'continue' : '']
    .filter(Boolean)
    .join(' · ');

/**
 * Text cut to fit a width, by the character widths the server sized the box with (runGraph.ts):
 * a box is only too narrow once the server capped its width.
 * @param {string} text
 * @param {number} px
 * @param {number} charPx
 */
function clip(text, px, charPx) {
  const max = Math.max(3, Math.floor(px / charPx));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * An SVG path through a polyline, rounded at its inner points.
 * @param {readonly Point[]} points
 */
function pathOf(points) {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x},${first.y}`;
  if (rest.length === 1) return `${d} L${rest[0]?.x},${rest[0]?.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = /** @type {Point} */ (rest[i]);
    const next = /** @type {Point} */ (rest[i + 1]);
    const end = i === rest.length - 2 ? next : { x: (p.x + next.x) / 2, y: (p.y + next.y) / 2 };
    d += ` Q${p.x},${p.y} ${end.x},${end.y}`;
  }
  return d;
}

/**
 * An arrowhead at the polyline's end, pointing along its last segment.
 * @param {readonly Point[]} points
 */
function arrowhead(points) {
  const tip = points.at(-1);
  const from = points.at(-2);
  if (!tip || !from) return '';
  const len = Math.hypot(tip.x - from.x, tip.y - from.y) || 1;
  const ux = (tip.x - from.x) / len;
  const uy = (tip.y - from.y) / len;
  const back = { x: tip.x - ux * 9, y: tip.y - uy * 9 };
  /** @param {number} side */
  const wing = (side) => `${back.x - uy * 4.5 * side},${back.y + ux * 4.5 * side}`;
  return `${tip.x},${tip.y} ${wing(1)} ${wing(-1)}`;
}

/**
 * The graph's drawing, unpainted: every box, arrow and label in place, statuses still to come.
 * @param {RunGraph} graph
 * @returns {SVGSVGElement}
 */
export function drawRunGraph(graph) {
  const edges = graph.edges.map((e) =>
    s(
      'g',
      { class: 'edge', 'data-from': e.from, 'data-to': e.to },
      s('title', { text: `${e.to} needs ${e.from}` }),
      s('path', { class: 'line', d: pathOf(e.points) }),
      s('polygon', { class: 'head', points: arrowhead(e.points) }),
    ),
  );
  const nodes = graph.nodes.map((n) => {
    const right = n.x + n.width - 12;
    const title = [
      `${n.id}: ${n.kind} ${n.target}`,
      n.needs.length ? `needs ${n.needs.join(', ')}` : 'starts with the run',
      n.forEach ? `for each of ${n.forEach} (at most ${n.maxParallel} at once)` : '',
      n.when ? `when ${n.when}` : '',
      n.onFailure === 'continue' ? 'on failure: continue' : '',
    ]
      .filter(Boolean)
      .join('\n');
    return s(
      'a',
      { class: 'step', 'data-step': n.id, 'data-status': 'pending' },
      s('title', { text: title }),
      s('rect', { class: 'box', x: n.x, y: n.y, width: n.width, height: n.height, rx: 8 }),
      s('text', { class: 'id', x: n.x + 12, y: n.y + 20 }, clip(n.id, n.width - 24 - (n.forEach ? 49 : 0), 8.4)),
      n.forEach ? s('text', { class: 'progress', x: right, y: n.y + 20, 'text-anchor': 'end' }, '') : '',
      s('text', { class: 'target', x: n.x + 12, y: n.y + 38 }, clip(`${n.kind} ${n.target}`, n.width - 24, 7)),
      s('text', { class: 'status', x: n.x + 12, y: n.y + 55 }, 'pending'),
      markers(n) ? s('text', { class: 'markers', x: right, y: n.y + 55, 'text-anchor': 'end' }, markers(n)) : '',
    );
  });
  return s(
    'svg',
    {
      class: 'rungraph',
      id: 'run-graph',
      viewBox: `0 0 ${graph.width} ${graph.height}`,
      width: graph.width,
      height: graph.height,
      role: 'group',
      'aria-label': `The steps of ${graph.workflow}`,
    },
    s('g', { class: 'edges' }, edges),
    s('g', { class: 'steps' }, nodes),
  );
}

/**
 * Paints the drawing with each step's state: its status (class and text), its progress, its
 * link. A step with no task yet (pending, skipped, refused) links nowhere.
 * @param {SVGSVGElement} svg from {@link drawRunGraph}
 * @param {ReadonlyMap<string, StepState>} states
 */
export function paintRunGraph(svg, states) {
  for (const el of svg.querySelectorAll('a.step')) {
    const id = el.getAttribute('data-step') || '';
    const st = states.get(id);
    if (!st) continue;
    el.setAttribute('data-status', st.status);
    el.setAttribute('class', `step status-${st.status} tone-${stepTone(st.status)}`);
    const first = st.taskIds[0];
    if (first) el.setAttribute('href', `#/tasks/${encodeURIComponent(first)}`);
    else el.removeAttribute('href');
    const progress = st.total === undefined ? '' : `${st.done}/${st.total}`;
    el.setAttribute('aria-label', `${id}: ${st.status}${progress ? `, ${progress} items done` : ''}`);
    const status = el.querySelector('.status');
    if (status) status.textContent = st.status;
    const counter = el.querySelector('.progress');
    if (counter) counter.textContent = progress;
  }
  for (const el of svg.querySelectorAll('g.edge')) {
    const from = states.get(el.getAttribute('data-from') || '');
    el.classList.toggle('settled', !!from && STEP_ENDED.has(from.status));
  }
}
