// @ts-check
/**
 * `/dashboard/statechart.js`: draws the task lifecycle (from `/dashboard/lifecycle.json`, read out
 * of the machine itself) as an inline SVG, and marks one task's path through it: visited states
 * and arrows get class `visited`, the task's state gets class `current`.
 *
 * The boxes sit on a fixed grid: the happy path left to right, the retry loop below it, the
 * endings at the bottom. As in a UML statechart, the transitions every live state shares
 * (CANCEL, DEADLINE) leave one dashed composite box instead of each state; a task that took one
 * of them gets that arrow drawn from its own state. An arrow bends around any box its straight
 * line would cross.
 * @module
 */
import { s, tone } from './dom.js';

/**
 * @import { LifecycleGraph, Transition } from '../apiTypes.js'
 */

/** @typedef {{ x: number, y: number }} Point */
/** A state's box: its top-left corner and its centre. @typedef {{ x: number, y: number, cx: number, cy: number }} Box */
/** An arrow's quadratic curve: its control point, the normal of the straight line, and the offset along it. @typedef {{ c: Point, n: Point, off: number }} Curve */
/** @typedef {'start' | 'middle' | 'end'} Anchor */
/**
 * Places a label (see {@link labeller}).
 * @typedef {(x: number, y: number, anchor: Anchor, text: string, cls: string | string[], dx: number, dy: number) => SVGTextElement} Place
 */

const W = 150,
  H = 50,
  CW = 205,
  RH = 112,
  LEFT = 78,
  TOP = 70,
  PAD = 18;
/**
 * [column, row] of each known state. States the grid does not know go on an extra row.
 * @type {ReadonlyMap<string, readonly [number, number]>}
 */
const GRID = new Map([
  ['queued', [0, 0]],
  ['routing', [1, 0]],
  ['attempting', [2, 0]],
  ['validating', [3, 0]],
  ['completed', [4, 0]],
  ['waiting', [2, 1]],
  // The endings sit lower than a whole row, so an arrow from routing to failed can pass under waiting.
  ['cancelled', [0, 2.6]],
  ['degrading', [1, 2.6]],
  ['degraded', [2, 2.6]],
  ['failed', [3, 2.6]],
]);
/** The states drawn inside the "live" composite box. */
const LIVE = ['queued', 'routing', 'attempting', 'validating', 'waiting'];

/**
 * @param {LifecycleGraph['states']} states
 * @returns {Map<string, Box>}
 */
function layout(states) {
  /** @type {Map<string, Box>} */
  const pos = new Map();
  let extra = 0;
  for (const st of states) {
    const g = GRID.get(st.name) || [extra++, 3.5];
    pos.set(st.name, { x: LEFT + g[0] * CW, y: TOP + g[1] * RH, cx: LEFT + g[0] * CW + W / 2, cy: TOP + g[1] * RH + H / 2 });
  }
  return pos;
}

/**
 * @param {Point} p
 * @param {Box} b
 * @param {number} pad
 */
const inside = (p, b, pad) => p.x > b.x - pad && p.x < b.x + W + pad && p.y > b.y - pad && p.y < b.y + H + pad;
/**
 * The point at t (0…1) along the quadratic curve from a to b with control point c.
 * @param {Point} a
 * @param {Point} c
 * @param {Point} b
 * @param {number} t
 * @returns {Point}
 */
const quad = (a, c, b, t) => ({
  x: (1 - t) * (1 - t) * a.x + 2 * (1 - t) * t * c.x + t * t * b.x,
  y: (1 - t) * (1 - t) * a.y + 2 * (1 - t) * t * c.y + t * t * b.y,
});

/**
 * Where the ray from a box's centre towards p leaves the box.
 * @param {Box} box
 * @param {Point} p
 * @returns {Point}
 */
function border(box, p) {
  const dx = p.x - box.cx,
    dy = p.y - box.cy;
  if (!dx && !dy) return { x: box.cx, y: box.cy };
  const k = Math.min(dx ? W / 2 / Math.abs(dx) : Infinity, dy ? H / 2 / Math.abs(dy) : Infinity);
  return { x: box.cx + dx * k, y: box.cy + dy * k };
}

/**
 * The control point of an arrow from box a to box b that crosses no other box, and its normal.
 * @param {Box} a
 * @param {Box} b
 * @param {readonly Box[]} others
 * @param {boolean} paired there is an arrow back from b to a, so this one must bend to one side
 * @returns {Curve}
 */
function route(a, b, others, paired) {
  const mid = { x: (a.cx + b.cx) / 2, y: (a.cy + b.cy) / 2 };
  const len = Math.hypot(b.cx - a.cx, b.cy - a.cy) || 1;
  const n = { x: -(b.cy - a.cy) / len, y: (b.cx - a.cx) / len };
  const offsets = paired ? [20, 40, 60, 90] : [0, 30, -30, 45, -45, 60, -60, 80, -80, 110, -110, 140, -140];
  /** @type {(Curve & { blocked: number }) | undefined} */
  let best;
  for (const off of offsets) {
    const c = { x: mid.x + n.x * off * 2, y: mid.y + n.y * off * 2 };
    let blocked = 0;
    for (let i = 1; i < 40; i++) {
      const p = quad({ x: a.cx, y: a.cy }, c, { x: b.cx, y: b.cy }, i / 40);
      if (others.some((o) => inside(p, o, 8))) blocked++;
    }
    if (!blocked) return { c, n, off };
    if (!best || blocked < best.blocked) best = { c, n, off, blocked };
  }
  // offsets is never empty, so best is set; the straight line only satisfies the checker.
  return best || { c: mid, n, off: 0 };
}

/**
 * Label boxes already placed, so a new label can step aside from them.
 * @param {readonly Box[]} boxes
 * @param {(p: Point) => void} grow
 * @returns {Place}
 */
function labeller(boxes, grow) {
  /** @type {{ x0: number, y0: number, x1: number, y1: number }[]} */
  const placed = [];
  const CHAR = 6.7,
    LH = 13;
  /**
   * @param {number} x
   * @param {number} y
   * @param {Anchor} anchor
   * @param {string} text
   */
  const rectOf = (x, y, anchor, text) => {
    const w = text.length * CHAR;
    const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
    return { x0, y0: y - LH + 3, x1: x0 + w, y1: y + 3 };
  };
  /** @param {{ x0: number, y0: number, x1: number, y1: number }} r */
  const hits = (r) =>
    placed.some((q) => r.x0 < q.x1 && r.x1 > q.x0 && r.y0 < q.y1 && r.y1 > q.y0) ||
    boxes.some((b) => r.x0 < b.x + W && r.x1 > b.x && r.y0 < b.y + H && r.y1 > b.y);
  /** A text at (x, y); when it would overlap, it moves by (dx, dy) steps, up to four times. */
  return (x, y, anchor, text, cls, dx, dy) => {
    let r = rectOf(x, y, anchor, text);
    for (let i = 0; i < 4 && hits(r); i++) {
      x += dx;
      y += dy;
      r = rectOf(x, y, anchor, text);
    }
    placed.push(r);
    grow({ x: r.x1 + 6, y: r.y1 + 6 });
    return s('text', { class: cls, x, y, 'text-anchor': anchor }, text);
  };
}

/**
 * A label beside the middle of a curve, on its outer side, anchored so it grows away from it.
 * @param {Place} place
 * @param {Point} p0
 * @param {Point} c
 * @param {Point} p2
 * @param {Point} n
 * @param {number} off
 * @param {string} text
 * @param {number} visited how often the task took the arrow
 */
function labelAt(place, p0, c, p2, n, off, text, visited) {
  const m = quad(p0, c, p2, 0.5);
  const side = off < 0 ? -1 : 1;
  const nx = n.x * side,
    ny = n.y * side;
  const anchor = nx > 0.35 ? 'start' : nx < -0.35 ? 'end' : 'middle';
  const x = m.x + nx * 7;
  const y = m.y + (Math.abs(ny) > 0.35 ? ny * 9 + (ny > 0 ? 8 : 0) : 4);
  const vertical = Math.abs(ny) <= 0.35; // the arrow runs up or down: step the label down past a neighbour
  return place(x, y, anchor, text, ['edge-label', visited ? 'visited' : ''], 0, vertical ? 13 : ny > 0 ? 12 : -12);
}

/**
 * Renders the diagram. graph: { initial, states: [{ name, final }], edges: [{ from, to, events, broad }] };
 * transitions: the task's [{ from, to, event }] in order; current: the task's state.
 * @param {LifecycleGraph} graph
 * @param {readonly Pick<Transition, 'from' | 'to'>[]} transitions
 * @param {string} current
 * @returns {SVGSVGElement}
 */
export function renderStatechart(graph, transitions, current) {
  const pos = layout(graph.states);
  /** @type {Set<string>} */
  const visitedStates = new Set();
  /** @type {Map<string, number>} */
  const edgeCount = new Map();
  for (const t of transitions) {
    if (t.to) visitedStates.add(t.to);
    if (t.from) {
      visitedStates.add(t.from);
      const key = `${t.from}>${t.to}`;
      edgeCount.set(key, (edgeCount.get(key) || 0) + 1);
    }
  }
  const keys = new Set(graph.edges.map((e) => `${e.from}>${e.to}`));
  const boxes = [...pos.values()];
  const bounds = { x0: 0, y0: 0, x1: 0, y1: 0 };
  /** @param {Point} p */
  const grow = (p) => {
    bounds.x0 = Math.min(bounds.x0, p.x);
    bounds.y0 = Math.min(bounds.y0, p.y);
    bounds.x1 = Math.max(bounds.x1, p.x);
    bounds.y1 = Math.max(bounds.y1, p.y);
  };
  for (const b of boxes) {
    grow({ x: b.x + W + 24, y: b.y + H + 24 });
  }

  const defs = s(
    'defs',
    {},
    ['plain', 'visited', 'group'].map((kind) =>
      s(
        'marker',
        {
          id: `arrow-${kind}`,
          viewBox: '0 0 10 10',
          refX: '9',
          refY: '5',
          markerUnits: 'userSpaceOnUse',
          markerWidth: '11',
          markerHeight: '11',
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrowhead ${kind}` }),
      ),
    ),
  );

  // The live composite: a dashed box around the states CANCEL and DEADLINE leave from.
  const members = LIVE.map((n) => pos.get(n)).filter((b) => b !== undefined);
  const live = members.length
    ? {
        x: Math.min(...members.map((b) => b.x)) - PAD,
        y: Math.min(...members.map((b) => b.y)) - PAD - 22,
        x1: Math.max(...members.map((b) => b.x + W)) + PAD,
        y1: Math.max(...members.map((b) => b.y + H)) + PAD,
      }
    : undefined;
  const group = s('g', { class: 'composite' });
  if (live) {
    group.append(
      s('rect', { class: 'composite-box', x: live.x, y: live.y, width: live.x1 - live.x, height: live.y1 - live.y, rx: 14 }),
      s('text', { class: 'composite-label', x: live.x + 12, y: live.y - 8 }, 'live (CANCEL and DEADLINE leave from any state in here)'),
    );
  }

  const edges = s('g', { class: 'edges' });
  const labels = s('g', { class: 'edge-labels' });
  const place = labeller(boxes, grow);
  /** The targets of the broad arrows out of the composite, and their events. @type {Map<string, Set<string>>} */
  const fromGroup = new Map();
  const ordered = graph.edges
    .slice()
    .sort((x, y) => Number(edgeCount.has(`${x.from}>${x.to}`)) - Number(edgeCount.has(`${y.from}>${y.to}`)));
  for (const e of ordered) {
    const a = pos.get(e.from),
      b = pos.get(e.to);
    if (!a || !b) continue;
    const key = `${e.from}>${e.to}`;
    const count = edgeCount.get(key) || 0;
    // A broad arrow out of the composite is drawn once, from the box; a taken one also from its state.
    if (live && e.broad && LIVE.includes(e.from) && !LIVE.includes(e.to)) {
      const evs = fromGroup.get(e.to) || new Set();
      for (const ev of e.events) evs.add(ev);
      fromGroup.set(e.to, evs);
      if (!count) continue;
    }
    const cls = ['edge', e.broad ? 'broad' : 'main', count ? 'visited' : '', e.from === e.to ? 'self' : ''];
    const marker = `url(#arrow-${count ? 'visited' : 'plain'})`;
    const title = s('title', { text: `${e.from} → ${e.to}: ${e.events.join(', ')}${count ? ` (taken ${count}×)` : ''}` });
    const attrs = { class: cls, 'marker-end': marker, 'data-from': e.from, 'data-to': e.to, 'data-count': count };
    if (e.from === e.to) {
      const x0 = a.x + W - 46,
        x1 = a.x + W - 18,
        y = a.y;
      edges.append(s('path', Object.assign({ d: `M${x0},${y} C${x0 - 2},${y - 26} ${x1 + 2},${y - 26} ${x1},${y - 1}` }, attrs), title));
      if (count)
        labels.append(place(x1 + 8, y - 14, 'start', e.events.join(' / ') + (count > 1 ? ` ×${count}` : ''), 'edge-label visited', 0, -12));
      continue;
    }
    const others = boxes.filter((o) => o !== a && o !== b);
    const r = route(a, b, others, keys.has(`${e.to}>${e.from}`));
    const straight = r.off === 0;
    const p0 = border(a, straight ? { x: b.cx, y: b.cy } : r.c);
    const p2 = border(b, straight ? { x: a.cx, y: a.cy } : r.c);
    for (let i = 0; i <= 10; i++) grow(quad(p0, r.c, p2, i / 10));
    edges.append(s('path', Object.assign({ d: `M${p0.x},${p0.y} Q${r.c.x},${r.c.y} ${p2.x},${p2.y}` }, attrs), title));
    if (!e.broad || count || !LIVE.includes(e.from))
      labels.append(labelAt(place, p0, r.c, p2, r.n, r.off, e.events.join(' / ') + (count > 1 ? ` ×${count}` : ''), count));
  }

  // One arrow from the composite's bottom edge to each target, beside any arrow already there.
  for (const [to, evs] of fromGroup) {
    const b = pos.get(to);
    if (!live || !b) continue;
    const busy = graph.edges.some((e) => {
      const from = pos.get(e.from);
      return e.to === to && !e.broad && from && Math.abs(from.cx - b.cx) < 1;
    });
    const x = b.cx + (busy ? -48 : 0);
    const y0 = live.y1,
      y1 = b.y - 1;
    if (y1 <= y0 + 8) continue;
    edges.append(
      s(
        'path',
        {
          class: 'edge broad group',
          d: `M${x},${y0} L${x},${y1}`,
          'marker-end': 'url(#arrow-group)',
          'data-from': 'live',
          'data-to': to,
        },
        s('title', { text: `any live state → ${to}: ${[...evs].join(', ')}` }),
      ),
    );
    labels.append(place(x - 6, (y0 + y1) / 2 + 4, 'end', [...evs].join(' / '), 'edge-label group', 0, 13));
  }

  const init = pos.get(graph.initial);
  const start = init
    ? s(
        'g',
        { class: 'initial visited' },
        s('circle', { cx: init.x - 46, cy: init.cy, r: 7 }),
        s('path', {
          class: 'edge main visited',
          d: `M${init.x - 39},${init.cy} L${init.x - 1},${init.cy}`,
          'marker-end': 'url(#arrow-visited)',
        }),
      )
    : '';

  const nodes = s(
    'g',
    { class: 'states' },
    graph.states.map((st) => {
      // layout() placed every state of the graph.
      const p = /** @type {Box} */ (pos.get(st.name));
      const cls = [
        'state',
        `tone-${tone(st.name)}`,
        st.final ? 'final' : '',
        visitedStates.has(st.name) ? 'visited' : '',
        st.name === current ? 'current' : '',
      ];
      return s(
        'g',
        { class: cls, 'data-state': st.name },
        s('title', { text: st.name + (st.name === current ? ' (current)' : visitedStates.has(st.name) ? ' (visited)' : '') }),
        s('rect', { x: p.x, y: p.y, width: W, height: H, rx: st.final ? 25 : 8 }),
        st.final ? s('rect', { class: 'inner', x: p.x + 4, y: p.y + 4, width: W - 8, height: H - 8, rx: 21 }) : '',
        s('text', { x: p.cx, y: p.cy + 6, 'text-anchor': 'middle' }, st.name),
      );
    }),
  );

  const vb = [0, 0, Math.ceil(bounds.x1), Math.ceil(bounds.y1)].join(' ');
  return s(
    'svg',
    {
      class: 'statechart',
      viewBox: vb,
      role: 'img',
      'aria-label': `task lifecycle; current state ${current}`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    defs,
    group,
    edges,
    start,
    nodes,
    labels,
  );
}
