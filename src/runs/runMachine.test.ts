import fc from 'fast-check';
import { createActor, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { wardenError } from '../errors/index.js';
import {
  FINAL_RUN_STATES,
  RUN_STATUS_OF,
  persistedRunSnapshot,
  runMachine,
  type ChildRef,
  type RunEvent,
  type RunStateName,
  type RunStepSpec,
} from './runMachine.js';

type Spec = Partial<RunStepSpec> & { needs?: readonly string[] };

const spec = (s: Spec = {}): RunStepSpec => ({ needs: [], onFailure: 'fail', forEach: false, maxParallel: 10, ...s });
const boom = wardenError('FALLBACK_EXHAUSTED', 'every agent failed').toJSON();
const late = wardenError('DEADLINE_EXCEEDED', 'the run ran out of time').toJSON();
const cancelled = wardenError('CANCELLED', 'cancelled by a person').toJSON();
const refused = wardenError('EXPRESSION_FAILED', 'steps.b.input: T2001 at character 3: …').toJSON();

/** A started run machine with the given steps, and small readers of its snapshot. */
function run(steps: Record<string, Spec>, opts: { hasDegraded?: boolean } = {}) {
  const actor = createActor(runMachine, {
    input: {
      runId: 'r1',
      workflow: 'w',
      steps: Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, spec(s)])),
      deadlineAt: 10_000,
      hasDegraded: opts.hasDegraded ?? false,
    },
  });
  actor.start();
  const ctx = () => actor.getSnapshot().context;
  return {
    actor,
    send(event: RunEvent) {
      actor.send(event);
      return actor.getSnapshot();
    },
    state: () => String(actor.getSnapshot().value),
    status: (step: string) => ctx().progress[step]?.status,
    statuses: () => Object.fromEntries(Object.entries(ctx().progress).map(([id, p]) => [id, p.status])),
    launch: () => ctx().launch,
    abort: () => ctx().abort,
    ctx,
  };
}

const resolved = (step: string, items?: number): RunEvent => ({
  type: 'STEP_RESOLVED',
  step,
  skip: false,
  ...(items === undefined ? {} : { items }),
});
const ended = (step: string, index = 0, status: 'completed' | 'degraded' | 'failed' | 'cancelled' = 'completed'): RunEvent => ({
  type: 'CHILD_ENDED',
  step,
  index,
  status,
  ...(status === 'failed' ? { error: boom } : {}),
});
const child = (step: string, index = 0): ChildRef => ({ step, index });

describe('runMachine: starting steps', () => {
  it('makes every step without needs ready at START, and launches nothing before the interpreter resolves them', () => {
    const r = run({ a: {}, b: {}, c: { needs: ['a', 'b'] } });
    expect(r.state()).toBe('queued');
    r.send({ type: 'START' });
    expect(r.state()).toBe('running');
    expect(r.statuses()).toEqual({ a: 'ready', b: 'ready', c: 'pending' });
    expect(r.launch()).toEqual([]);
  });

  it('starts steps that need nothing side by side', () => {
    const r = run({ a: {}, b: {} });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    expect(r.launch()).toEqual([child('a')]);
    r.send(resolved('b'));
    expect(r.launch()).toEqual([child('b')]);
    expect(r.statuses()).toEqual({ a: 'running', b: 'running' });
  });

  it('starts a step only once every step it needs has ended', () => {
    const r = run({ a: {}, b: {}, c: { needs: ['a', 'b'] } });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(resolved('b'));
    r.send(ended('a'));
    expect(r.status('c')).toBe('pending');
    expect(r.launch()).toEqual([]);
    r.send(ended('b'));
    expect(r.status('c')).toBe('ready');
    r.send(resolved('c'));
    expect(r.launch()).toEqual([child('c')]);
  });

  it('ignores a STEP_RESOLVED for a step that is not ready', () => {
    const r = run({ a: {}, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send(resolved('b'));
    expect(r.status('b')).toBe('pending');
    expect(r.launch()).toEqual([]);
    r.send(resolved('a'));
    r.send(resolved('a'));
    expect(r.launch()).toEqual([]);
    expect(r.ctx().progress.a).toMatchObject({ launched: 1, running: [0] });
  });
});

describe('runMachine: when', () => {
  it('skips a step whose when was false, and the steps that need it still start', () => {
    const r = run({ a: {}, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send({ type: 'STEP_RESOLVED', step: 'a', skip: true });
    expect(r.status('a')).toBe('skipped');
    expect(r.launch()).toEqual([]);
    expect(r.status('b')).toBe('ready');
    r.send(resolved('b'));
    r.send(ended('b'));
    expect(r.state()).toBe('finishing');
    r.send({ type: 'OUTPUT_RESOLVED' });
    expect(r.state()).toBe('completed');
  });

  it('finishes a run whose every step was skipped', () => {
    const r = run({ a: {}, b: {} });
    r.send({ type: 'START' });
    r.send({ type: 'STEP_RESOLVED', step: 'a', skip: true });
    r.send({ type: 'STEP_RESOLVED', step: 'b', skip: true });
    expect(r.state()).toBe('finishing');
  });
});

describe('runMachine: forEach', () => {
  it('never runs more than maxParallel children, launching the next in item order as each ends', () => {
    const r = run({ a: { forEach: true, maxParallel: 2 } });
    r.send({ type: 'START' });
    r.send(resolved('a', 5));
    expect(r.launch()).toEqual([child('a', 0), child('a', 1)]);
    r.send(ended('a', 1));
    expect(r.launch()).toEqual([child('a', 2)]);
    r.send(ended('a', 0));
    expect(r.launch()).toEqual([child('a', 3)]);
    expect(r.ctx().progress.a?.running).toEqual([2, 3]);
    r.send(ended('a', 3));
    expect(r.launch()).toEqual([child('a', 4)]);
    r.send(ended('a', 2));
    expect(r.launch()).toEqual([]);
    expect(r.status('a')).toBe('running');
    r.send(ended('a', 4));
    expect(r.status('a')).toBe('completed');
    expect(r.state()).toBe('finishing');
  });

  it('completes a forEach step over no items at once, with nothing launched', () => {
    const r = run({ a: { forEach: true }, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send(resolved('a', 0));
    expect(r.launch()).toEqual([]);
    expect(r.status('a')).toBe('completed');
    expect(r.status('b')).toBe('ready');
  });

  it('gives a step without forEach one child, whatever items says', () => {
    const r = run({ a: {} });
    r.send({ type: 'START' });
    r.send(resolved('a', 3));
    expect(r.launch()).toEqual([child('a')]);
    expect(r.ctx().progress.a?.items).toBe(1);
  });

  it('adds up the children: a degraded or cancelled child degrades the step, and the run', () => {
    const r = run({ a: { forEach: true } });
    r.send({ type: 'START' });
    r.send(resolved('a', 3));
    r.send(ended('a', 0));
    r.send(ended('a', 1, 'degraded'));
    r.send(ended('a', 2, 'cancelled'));
    expect(r.ctx().progress.a).toMatchObject({ status: 'degraded', degraded: 2, failed: 0 });
    r.send({ type: 'OUTPUT_RESOLVED' });
    expect(r.state()).toBe('degraded');
  });

  it('fails a forEach step under onFailure "fail" at its first failed child, aborting its siblings', () => {
    const r = run({ a: { forEach: true, maxParallel: 3 } });
    r.send({ type: 'START' });
    r.send(resolved('a', 6));
    r.send(ended('a', 1, 'failed'));
    expect(r.state()).toBe('failed');
    expect(r.abort()).toEqual([child('a', 0), child('a', 2)]);
    expect(r.launch()).toEqual([]);
    expect(r.ctx().progress.a).toMatchObject({ status: 'failed', error: boom, launched: 3 });
  });

  it('runs every item of a forEach step under onFailure "continue", and the step fails at the end', () => {
    const r = run({ a: { forEach: true, maxParallel: 1, onFailure: 'continue' }, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send(resolved('a', 2));
    r.send(ended('a', 0, 'failed'));
    expect(r.launch()).toEqual([child('a', 1)]);
    r.send(ended('a', 1));
    expect(r.ctx().progress.a).toMatchObject({ status: 'failed', failed: 1, error: boom });
    expect(r.status('b')).toBe('ready');
  });
});

describe('runMachine: onFailure', () => {
  it('"fail" ends the run failed: running children aborted, steps not yet started cancelled', () => {
    const r = run({ a: {}, b: {}, c: { needs: ['a'] }, d: {} });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(resolved('b'));
    r.send(ended('a', 0, 'failed'));
    expect(r.state()).toBe('failed');
    expect(r.abort()).toEqual([child('b')]);
    expect(r.statuses()).toEqual({ a: 'failed', b: 'cancelled', c: 'cancelled', d: 'cancelled' });
    expect(r.ctx()).toMatchObject({ error: boom, failedStep: 'a' });
  });

  it('"fail" degrades the run to its degraded response when it has one', () => {
    const r = run({ a: {} }, { hasDegraded: true });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(ended('a', 0, 'failed'));
    expect(r.state()).toBe('degrading');
    r.send({ type: 'DEGRADED', output: { status: 'degraded' } });
    expect(r.state()).toBe('degraded');
    expect(r.ctx().error).toEqual(boom);
  });

  it('fails the run when its degraded response cannot be built', () => {
    const r = run({ a: {} }, { hasDegraded: true });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(ended('a', 0, 'failed'));
    const why = wardenError('DEGRADE_FAILED', 'the module threw').toJSON();
    r.send({ type: 'DEGRADE_FAILED', error: why });
    expect(r.state()).toBe('failed');
    expect(r.ctx().error).toEqual(why);
  });

  it('"continue" records the failure, the steps after it still run, and the run ends degraded', () => {
    const r = run({ a: { onFailure: 'continue' }, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(ended('a', 0, 'failed'));
    expect(r.state()).toBe('running');
    expect(r.ctx().progress.a).toMatchObject({ status: 'failed', error: boom });
    expect(r.status('b')).toBe('ready');
    r.send(resolved('b'));
    r.send(ended('b'));
    r.send({ type: 'OUTPUT_RESOLVED' });
    expect(r.state()).toBe('degraded');
    expect(r.ctx().error).toBeUndefined();
  });

  it('fails a step whose expression was refused, then applies its onFailure', () => {
    const fails = run({ a: {}, b: {} });
    fails.send({ type: 'START' });
    fails.send(resolved('a'));
    fails.send({ type: 'STEP_REFUSED', step: 'b', error: refused });
    expect(fails.state()).toBe('failed');
    expect(fails.ctx()).toMatchObject({ failedStep: 'b', error: refused });
    expect(fails.abort()).toEqual([child('a')]);

    const goesOn = run({ a: { onFailure: 'continue' }, b: { needs: ['a'] } });
    goesOn.send({ type: 'START' });
    goesOn.send({ type: 'STEP_REFUSED', step: 'a', error: refused });
    expect(goesOn.ctx().progress.a).toMatchObject({ status: 'failed', error: refused });
    expect(goesOn.status('b')).toBe('ready');
  });

  it('completes the run when every step completed or was skipped', () => {
    const r = run({ a: {}, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(ended('a'));
    r.send({ type: 'STEP_RESOLVED', step: 'b', skip: true });
    expect(r.state()).toBe('finishing');
    r.send({ type: 'OUTPUT_RESOLVED' });
    expect(r.state()).toBe('completed');
    expect(RUN_STATUS_OF[r.state() as RunStateName]).toBe('completed');
  });

  it('fails (or degrades) the run when its output expression fails', () => {
    for (const [hasDegraded, state] of [
      [false, 'failed'],
      [true, 'degrading'],
    ] as const) {
      const r = run({ a: {} }, { hasDegraded });
      r.send({ type: 'START' });
      r.send(resolved('a'));
      r.send(ended('a'));
      r.send({ type: 'OUTPUT_FAILED', error: refused });
      expect(r.state()).toBe(state);
      expect(r.ctx().error).toEqual(refused);
    }
  });
});

describe('runMachine: cancel and deadline', () => {
  it('cancels the run while steps run: every running child aborted, every unfinished step cancelled', () => {
    const r = run({ a: { forEach: true, maxParallel: 2 }, b: {}, c: { needs: ['b'] }, d: {} });
    r.send({ type: 'START' });
    r.send(resolved('a', 4));
    r.send(resolved('b'));
    r.send(ended('b'));
    r.send({ type: 'CANCEL', error: cancelled });
    expect(r.state()).toBe('cancelled');
    expect(r.abort()).toEqual([child('a', 0), child('a', 1)]);
    expect(r.launch()).toEqual([]);
    expect(r.statuses()).toEqual({ a: 'cancelled', b: 'completed', c: 'cancelled', d: 'cancelled' });
    expect(r.ctx().error).toEqual(cancelled);
  });

  it('ends the run at its deadline, degrading when it can, with every running child aborted', () => {
    for (const [hasDegraded, state] of [
      [false, 'failed'],
      [true, 'degrading'],
    ] as const) {
      const r = run({ a: {}, b: {} }, { hasDegraded });
      r.send({ type: 'START' });
      r.send(resolved('a'));
      r.send(resolved('b'));
      r.send({ type: 'DEADLINE', error: late });
      expect(r.state()).toBe(state);
      expect(r.abort()).toEqual([child('a'), child('b')]);
      expect(r.statuses()).toEqual({ a: 'cancelled', b: 'cancelled' });
      expect(r.ctx().error).toEqual(late);
    }
  });

  it('ends a run at its deadline before it started, or while its output is evaluated', () => {
    const queued = run({ a: {} });
    queued.send({ type: 'DEADLINE', error: late });
    expect(queued.state()).toBe('failed');
    expect(queued.statuses()).toEqual({ a: 'cancelled' });

    const finishing = run({ a: {} }, { hasDegraded: true });
    finishing.send({ type: 'START' });
    finishing.send(resolved('a'));
    finishing.send(ended('a'));
    finishing.send({ type: 'DEADLINE', error: late });
    expect(finishing.state()).toBe('degrading');
    expect(finishing.statuses()).toEqual({ a: 'completed' });
  });

  it('cancels a run while it finishes or degrades', () => {
    const finishing = run({ a: {} });
    finishing.send({ type: 'START' });
    finishing.send({ type: 'STEP_RESOLVED', step: 'a', skip: true });
    finishing.send({ type: 'CANCEL', error: cancelled });
    expect(finishing.state()).toBe('cancelled');

    const degrading = run({ a: {} }, { hasDegraded: true });
    degrading.send({ type: 'START' });
    degrading.send({ type: 'STEP_REFUSED', step: 'a', error: refused });
    expect(degrading.state()).toBe('degrading');
    degrading.send({ type: 'CANCEL', error: cancelled });
    expect(degrading.state()).toBe('cancelled');
    expect(degrading.ctx().error).toEqual(cancelled);
  });

  it('changes nothing for a child that ends after the run has', () => {
    const r = run({ a: {}, b: {} });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(resolved('b'));
    r.send({ type: 'CANCEL', error: cancelled });
    const final = r.actor.getSnapshot();
    expect(FINAL_RUN_STATES.has(String(final.value))).toBe(true);
    // The pure transition function, as an actor refuses (and warns about) any event once done.
    const [after] = transition(runMachine, final, ended('a', 0, 'cancelled'));
    const [later] = transition(runMachine, after, ended('b', 0, 'completed'));
    expect(later.value).toBe('cancelled');
    expect(later.context).toEqual(final.context);
  });

  it('ignores children that end while the run is degrading', () => {
    const r = run({ a: {}, b: {} }, { hasDegraded: true });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    r.send(resolved('b'));
    r.send(ended('a', 0, 'failed'));
    const progress = r.ctx().progress;
    r.send(ended('b', 0, 'cancelled'));
    expect(r.state()).toBe('degrading');
    expect(r.ctx().progress).toEqual(progress);
    expect(r.abort()).toEqual([]);
  });
});

describe('runMachine: duplicates and recovery', () => {
  it('ignores a repeated CHILD_ENDED for the same index, and one for an index never launched', () => {
    const r = run({ a: { forEach: true, maxParallel: 1 } });
    r.send({ type: 'START' });
    r.send(resolved('a', 3));
    r.send(ended('a', 0, 'degraded'));
    expect(r.launch()).toEqual([child('a', 1)]);
    const progress = r.ctx().progress;
    r.send(ended('a', 0, 'degraded'));
    expect(r.launch()).toEqual([]);
    expect(r.ctx().progress).toEqual(progress);
    r.send(ended('a', 0, 'failed'));
    r.send(ended('a', 2, 'failed'));
    expect(r.state()).toBe('running');
    expect(r.ctx().progress).toEqual(progress);
    expect(r.ctx().progress.a).toMatchObject({ launched: 2, running: [1], degraded: 1, failed: 0 });
  });

  it('clears the commands of the last event on every event, even one it ignores', () => {
    const r = run({ a: {} });
    r.send({ type: 'START' });
    r.send(resolved('a'));
    expect(r.launch()).toHaveLength(1);
    r.send({ type: 'START' });
    expect(r.launch()).toEqual([]);
  });

  it('re-enters the current state on RECOVERED, recording nothing but cleared commands', () => {
    const r = run({ a: { forEach: true, maxParallel: 2 }, b: {} });
    r.send({ type: 'START' });
    r.send(resolved('a', 3));
    const before = r.ctx();
    r.send({ type: 'RECOVERED' });
    expect(r.state()).toBe('running');
    expect(r.ctx()).toEqual({ ...before, launch: [], abort: [] });

    const queued = run({ a: {} });
    queued.send({ type: 'RECOVERED' });
    expect(queued.state()).toBe('queued');
  });
});

describe('persistedRunSnapshot', () => {
  it("equals XState's getPersistedSnapshot in every state a run passes through", () => {
    const r = run({ a: { forEach: true, maxParallel: 1 }, b: { needs: ['a'], onFailure: 'continue' } }, { hasDegraded: true });
    const events: RunEvent[] = [
      { type: 'START' },
      resolved('a', 2),
      ended('a', 0),
      ended('a', 1),
      resolved('b'),
      ended('b', 0, 'failed'),
      { type: 'OUTPUT_FAILED', error: refused },
      { type: 'DEGRADED', output: { status: 'degraded' } },
    ];
    const seen: string[] = [];
    for (const event of events) {
      expect(persistedRunSnapshot(r.actor)).toStrictEqual(r.actor.getPersistedSnapshot());
      r.send(event);
      seen.push(r.state());
    }
    expect(persistedRunSnapshot(r.actor)).toStrictEqual(r.actor.getPersistedSnapshot());
    expect(seen).toEqual(['running', 'running', 'running', 'running', 'running', 'finishing', 'degrading', 'degraded']);
  });

  it('restores to the same state and context, and carries on from there', () => {
    const r = run({ a: { forEach: true, maxParallel: 1 }, b: { needs: ['a'] } });
    r.send({ type: 'START' });
    r.send(resolved('a', 2));
    r.send(ended('a', 0));
    const restored = createActor(runMachine, {
      snapshot: JSON.parse(JSON.stringify(persistedRunSnapshot(r.actor))) as never,
      input: undefined as never,
    });
    restored.start();
    expect(restored.getSnapshot().value).toBe('running');
    expect(restored.getSnapshot().context).toEqual(r.ctx());
    restored.send(ended('a', 1));
    expect(restored.getSnapshot().context.progress.b?.status).toBe('ready');
  });
});

describe('runMachine: property', () => {
  const SEED = Number(process.env.WARDEN_FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

  /** A random acyclic graph: each step needs some of the steps declared before it. */
  const graph = fc
    .integer({ min: 1, max: 7 })
    .chain((n) =>
      fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            needs: fc.subarray(Array.from({ length: i }, (_, j) => `s${j}`)),
            onFailure: fc.constantFrom('fail' as const, 'continue' as const),
            forEach: fc.boolean(),
            maxParallel: fc.integer({ min: 1, max: 3 }),
          }),
        ),
      ),
    )
    .map((specs) => Object.fromEntries(specs.map((s, i) => [`s${i}`, s])));

  it(`launches each child once, after its needs, within maxParallel, and always ends (seed ${SEED})`, () => {
    console.log(`runMachine property seed: ${SEED} (set WARDEN_FC_SEED to replay)`);
    fc.assert(
      fc.property(graph, fc.boolean(), fc.gen(), (steps, hasDegraded, g) => {
        const r = run(steps, { hasDegraded });
        const launched = new Set<string>();
        const running = new Map<string, Set<number>>(Object.keys(steps).map((id) => [id, new Set()]));
        const endedChildren: ChildRef[] = [];
        const apply = () => {
          const { progress } = r.ctx();
          for (const c of r.launch()) {
            const key = `${c.step}#${c.index}`;
            expect(launched.has(key), `${key} launched twice`).toBe(false);
            launched.add(key);
            for (const need of steps[c.step]!.needs) {
              expect(['completed', 'degraded', 'failed', 'skipped'], `${c.step} launched before ${need} ended`).toContain(
                progress[need]?.status,
              );
            }
            expect(c.index).toBeLessThan(progress[c.step]!.items);
            running.get(c.step)!.add(c.index);
            expect(running.get(c.step)!.size).toBeLessThanOrEqual(steps[c.step]!.maxParallel);
          }
          for (const c of r.abort()) running.get(c.step)!.delete(c.index);
          for (const [id, p] of Object.entries(progress)) {
            expect(p.failed + p.degraded, `${id} counted an end twice`).toBeLessThanOrEqual(p.launched - p.running.length);
          }
        };
        r.send({ type: 'START' });
        for (let turn = 0; turn < 1000 && !FINAL_RUN_STATES.has(r.state()); turn++) {
          const state = r.state();
          const choices: RunEvent[] = [];
          if (state === 'running') {
            for (const [id, p] of Object.entries(r.ctx().progress)) {
              if (p.status !== 'ready') continue;
              const items = g(fc.integer, { min: 0, max: 4 });
              choices.push({ type: 'STEP_RESOLVED', step: id, skip: g(fc.integer, { min: 0, max: 5 }) === 0, items });
              if (g(fc.integer, { min: 0, max: 9 }) === 0) choices.push({ type: 'STEP_REFUSED', step: id, error: refused });
            }
            for (const [id, indices] of running) {
              for (const index of indices) {
                const status = g(fc.constantFrom, 'completed', 'completed', 'completed', 'degraded', 'failed', 'cancelled');
                choices.push({ type: 'CHILD_ENDED', step: id, index, status, ...(status === 'failed' ? { error: boom } : {}) });
              }
            }
            expect(choices.length, `a running run with nothing to wait for: ${JSON.stringify(r.statuses())}`).toBeGreaterThan(0);
          }
          if (state === 'finishing') choices.push({ type: 'OUTPUT_RESOLVED' }, { type: 'OUTPUT_FAILED', error: refused });
          if (state === 'degrading') choices.push({ type: 'DEGRADED', output: null }, { type: 'DEGRADE_FAILED', error: boom });
          if (state === 'queued') choices.push({ type: 'START' });
          // Now and then: a stray repeat of an ended child, a restart, a deadline or a cancel.
          const rare = g(fc.integer, { min: 0, max: 60 });
          const old = endedChildren[rare % Math.max(1, endedChildren.length)];
          if (rare < 4 && old) choices.push({ type: 'CHILD_ENDED', step: old.step, index: old.index, status: 'failed', error: boom });
          else if (rare < 8) choices.push({ type: 'RECOVERED' });
          else if (rare === 8) choices.push({ type: 'DEADLINE', error: late });
          else if (rare === 9) choices.push({ type: 'CANCEL', error: cancelled });
          const event = choices[g(fc.integer, { min: 0, max: choices.length - 1 })]!;
          if (event.type === 'CHILD_ENDED' && running.get(event.step)?.delete(event.index))
            endedChildren.push(child(event.step, event.index));
          r.send(event);
          apply();
        }
        expect(FINAL_RUN_STATES.has(r.state()), `stuck in ${r.state()}: ${JSON.stringify(r.statuses())}`).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
