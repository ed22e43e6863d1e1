import { describe, expect, it } from 'vitest';
import { type MultiStepWorkflow, workflowSchema } from '../config/schema.js';
import { runGraphSchema } from '../http/schemas.js';
import { type CompiledRun, compileRun } from '../runs/compileRun.js';
import { NODE_HEIGHT, NODE_MAX_WIDTH, NODE_MIN_WIDTH, type RunGraph, runGraph } from './runGraph.js';

const SHIP = {
  plan: { agent: 'planner' },
  build: { agent: 'builder', needs: ['plan'], forEach: 'steps.plan.output.files', maxParallel: 2, input: "{ 'file': item }" },
  docs: { agent: 'writer', needs: ['plan'], onFailure: 'continue' },
  deploy: { agent: 'deployer', needs: ['build', 'docs'], when: "steps.build.status = 'completed'" },
};

function compile(steps: Record<string, unknown>): CompiledRun {
  const { run, problems } = compileRun(workflowSchema.parse({ name: 'ship', steps }) as MultiStepWorkflow);
  expect(problems).toEqual([]);
  return run!;
}

const nodeOf = (graph: RunGraph, id: string) => graph.nodes.find((n) => n.id === id)!;
const overlap = (a: RunGraph['nodes'][number], b: RunGraph['nodes'][number]) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Within a pixel of the box's outline (coordinates are rounded to tenths). */
function onBorder(p: { x: number; y: number }, box: RunGraph['nodes'][number]): boolean {
  const within = (d: number) => p.x >= box.x - d && p.x <= box.x + box.width + d && p.y >= box.y - d && p.y <= box.y + box.height + d;
  return within(1) && !within(-1);
}

describe('runGraph', () => {
  it('has one node per step in topological order and one edge per need, from the needed step to the one that needs it', () => {
    const graph = runGraph(compile(SHIP));
    expect(runGraphSchema.parse(graph)).toEqual(graph);
    expect(graph.workflow).toBe('ship');
    expect(graph.nodes.map((n) => n.id)).toEqual(['plan', 'build', 'docs', 'deploy']);
    expect(graph.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['build>deploy', 'docs>deploy', 'plan>build', 'plan>docs']);
    expect(nodeOf(graph, 'deploy').needs).toEqual(['build', 'docs']);
  });

  it('carries what each step runs and the fields that shape it', () => {
    const graph = runGraph(
      compile({ ...SHIP, review: { workflow: 'code-review', needs: ['deploy'] }, ui: { capability: 'frontend', needs: ['plan'] } }),
    );
    expect(nodeOf(graph, 'plan')).toMatchObject({ kind: 'agent', target: 'planner', onFailure: 'fail' });
    expect(nodeOf(graph, 'plan')).not.toHaveProperty('forEach');
    expect(nodeOf(graph, 'plan')).not.toHaveProperty('when');
    expect(nodeOf(graph, 'build')).toMatchObject({ forEach: 'steps.plan.output.files', maxParallel: 2 });
    expect(nodeOf(graph, 'docs').onFailure).toBe('continue');
    expect(nodeOf(graph, 'deploy').when).toBe("steps.build.status = 'completed'");
    expect(nodeOf(graph, 'review')).toMatchObject({ kind: 'workflow', target: 'code-review' });
    expect(nodeOf(graph, 'ui')).toMatchObject({ kind: 'capability', target: 'frontend' });
  });

  it('lays the steps out left to right: every step starts right of the steps it needs, and no boxes overlap', () => {
    const graph = runGraph(compile(SHIP));
    for (const e of graph.edges) {
      const from = nodeOf(graph, e.from);
      expect(nodeOf(graph, e.to).x, `${e.from}>${e.to}`).toBeGreaterThan(from.x + from.width);
    }
    // build and docs both need plan only: they share a column (centred), one above the other.
    const centre = (id: string) => nodeOf(graph, id).x + nodeOf(graph, id).width / 2;
    expect(centre('build')).toBeCloseTo(centre('docs'), 0);
    for (const a of graph.nodes) for (const b of graph.nodes) if (a !== b) expect(overlap(a, b), `${a.id} / ${b.id}`).toBe(false);
  });

  it('draws each edge from the border of its source box to the border of its target box', () => {
    const graph = runGraph(compile(SHIP));
    for (const e of graph.edges) {
      const from = nodeOf(graph, e.from);
      const to = nodeOf(graph, e.to);
      expect(e.points.length, `${e.from}>${e.to}`).toBeGreaterThanOrEqual(2);
      expect(onBorder(e.points[0]!, from), `${e.from}>${e.to} starts on ${e.from}`).toBe(true);
      expect(onBorder(e.points.at(-1)!, to), `${e.from}>${e.to} ends on ${e.to}`).toBe(true);
    }
  });

  it('sizes the drawing to hold every box and every arrow', () => {
    const graph = runGraph(compile(SHIP));
    for (const n of graph.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(graph.width);
      expect(n.y + n.height).toBeLessThanOrEqual(graph.height);
    }
    for (const p of graph.edges.flatMap((e) => e.points)) {
      expect(p.x).toBeLessThanOrEqual(graph.width);
      expect(p.y).toBeLessThanOrEqual(graph.height);
    }
  });

  it('widens a box for a long step id or target, between the narrowest and widest box', () => {
    const graph = runGraph(
      compile({
        a: { agent: 'x' },
        'generate-release-notes-for-customers': { agent: 'senior-technical-writer', needs: ['a'] },
        ['z'.repeat(80)]: { agent: 'x', needs: ['a'] },
      }),
    );
    expect(nodeOf(graph, 'a').width).toBe(NODE_MIN_WIDTH);
    expect(nodeOf(graph, 'generate-release-notes-for-customers').width).toBeGreaterThan(NODE_MIN_WIDTH);
    expect(nodeOf(graph, 'z'.repeat(80)).width).toBe(NODE_MAX_WIDTH);
    expect(graph.nodes.every((n) => n.height === NODE_HEIGHT)).toBe(true);
  });

  it('lays out a single step with no edges', () => {
    const graph = runGraph(compile({ only: { agent: 'x' } }));
    expect(graph.nodes).toHaveLength(1);
    expect(graph.edges).toEqual([]);
    expect(graph.width).toBeGreaterThanOrEqual(NODE_MIN_WIDTH);
  });

  it('computes a run once, and lays out the same workflow the same way every time', () => {
    const run = compile(SHIP);
    expect(runGraph(run)).toBe(runGraph(run));
    expect(runGraph(compile(SHIP))).toEqual(runGraph(run));
  });
});
