/**
 * The graph of a run's steps as the dashboard draws it: one box per step, one arrow per entry of
 * `needs`, laid out left to right by dagre (the layered layout of Graphviz's dot). The layout is
 * computed here, on the server, so the page runs no script but its own under its CSP, and once
 * per compiled workflow, since it depends on nothing else.
 * @module
 */
import dagre from '@dagrejs/dagre';
import type { z } from 'zod';
import type { runGraphSchema } from '../http/schemas.js';
import type { CompiledRun, CompiledStep } from '../runs/compileRun.js';

/** `GET /api/workflows/:name/graph`: a run's steps, placed. */
export type RunGraph = z.output<typeof runGraphSchema>;
/** One step of a {@link RunGraph}. */
export type RunGraphNode = RunGraph['nodes'][number];

/** The height of every box: three lines (the id, what it runs, its status). */
export const NODE_HEIGHT = 64;
/** The narrowest box. */
export const NODE_MIN_WIDTH = 150;
/** The widest box; the page cuts longer text short with an ellipsis. */
export const NODE_MAX_WIDTH = 280;

/**
 * Rough advance widths of the page's fonts, in pixels per character: the box is sized before any
 * browser has measured its text, so these err wide.
 */
const ID_CHAR = 8.4;
const SMALL_CHAR = 7;
/** The box's inner padding, left and right together. */
const PADDING = 28;
/** Room on the status line for the longest status (`completed`, `cancelled`) and a gap. */
const STATUS_CHARS = 11;
/** Room on the id line for a forEach step's progress, e.g. `12/40`. */
const PROGRESS_CHARS = 7;

/** The markers the page shows on a box's status line, as it writes them. */
function markers(step: CompiledStep): string {
  return [step.forEach ? `each ≤${step.maxParallel}` : '', step.when ? 'when' : '', step.onFailure === 'continue' ? 'continue' : '']
    .filter(Boolean)
    .join(' · ');
}

/** A box wide enough for the step's id, what it runs, and its status line. */
function widthOf(step: CompiledStep): number {
  const lines = [
    step.id.length * ID_CHAR + (step.forEach ? PROGRESS_CHARS * SMALL_CHAR : 0),
    (step.kind.length + 1 + step.target.length) * SMALL_CHAR,
    (STATUS_CHARS + markers(step).length) * SMALL_CHAR,
  ];
  return Math.min(NODE_MAX_WIDTH, Math.max(NODE_MIN_WIDTH, Math.ceil(Math.max(...lines) + PADDING)));
}

/** Tenths of a pixel are plenty, and keep the JSON short. */
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * What this module uses of a dagre graph. dagre's declarations import their siblings without a
 * file extension, which NodeNext resolution cannot follow, so its types arrive as `any`; this
 * names what the code relies on, checked by the tests rather than by the compiler.
 */
interface LayoutGraph {
  setGraph(label: { rankdir: 'LR'; nodesep: number; ranksep: number; edgesep: number; marginx: number; marginy: number }): void;
  setDefaultEdgeLabel(label: () => object): void;
  setNode(id: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  /** After layout: the node's centre and size. */
  node(id: string): { x: number; y: number; width: number; height: number };
  /** After layout: the arrow's polyline, border to border. */
  edge(from: string, to: string): { points?: { x: number; y: number }[] };
  /** After layout: the drawing's size, margins included. */
  graph(): { width?: number; height?: number };
}

const cache = new WeakMap<CompiledRun, RunGraph>();

/**
 * Lays out a compiled run's steps; the same run object always gets the same (cached) graph.
 * Steps are added in the run's topological order, which keeps the layout stable from one start
 * of the server to the next.
 * @example
 * const workflow = engine.config.workflows.get('ship-change');
 * if (workflow?.run) console.log(runGraph(workflow.run).nodes.map((n) => `${n.id} at ${n.x},${n.y}`));
 */
export function runGraph(run: CompiledRun): RunGraph {
  let graph = cache.get(run);
  if (!graph) {
    graph = layOut(run);
    cache.set(run, graph);
  }
  return graph;
}

function layOut(run: CompiledRun): RunGraph {
  const g: LayoutGraph = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 64, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const steps = run.order.map((id) => run.steps[id]!);
  for (const step of steps) g.setNode(step.id, { width: widthOf(step), height: NODE_HEIGHT });
  for (const step of steps) for (const need of step.needs) g.setEdge(need, step.id);
  dagre.layout(g);

  const nodes = steps.map((step): RunGraphNode => {
    // dagre places a node by its centre; the API gives the top-left corner, as an SVG rect takes it.
    const { x, y, width, height } = g.node(step.id);
    return {
      id: step.id,
      kind: step.kind,
      target: step.target,
      x: round(x - width / 2),
      y: round(y - height / 2),
      width,
      height,
      needs: [...step.needs],
      ...(step.forEach ? { forEach: step.forEach.source, maxParallel: step.maxParallel } : {}),
      ...(step.when ? { when: step.when.source } : {}),
      onFailure: step.onFailure,
    };
  });
  const edges = steps.flatMap((step) =>
    step.needs.map((need) => ({
      from: need,
      to: step.id,
      points: (g.edge(need, step.id).points ?? []).map((p) => ({ x: round(p.x), y: round(p.y) })),
    })),
  );
  const { width = 0, height = 0 } = g.graph();
  return { workflow: run.workflow, nodes, edges, width: Math.ceil(width), height: Math.ceil(height) };
}
