import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { wardenError } from '../errors/index.js';
import { persistedSnapshot, taskMachine, type TaskEvent } from './taskMachine.js';

const input = { taskId: 't1', workflow: 'w', plan: ['a', 'b'], maxAttempts: [2, 1], deadlineAt: 10_000, hasDegraded: true };
const failed = (at: number): TaskEvent => ({
  type: 'ATTEMPT_FAILED',
  error: wardenError('AGENT_UNAVAILABLE', 'down').toJSON(),
  at,
  delayMs: 100,
});

describe('persistedSnapshot', () => {
  it("equals XState's getPersistedSnapshot in every state the lifecycle passes through", () => {
    const actor = createActor(taskMachine, { input });
    actor.start();
    const events: TaskEvent[] = [
      { type: 'START' },
      { type: 'ROUTED', agent: 'a', index: 0, skipped: [] },
      failed(0),
      { type: 'WAKE' },
      failed(100),
      { type: 'ROUTED', agent: 'b', index: 1, skipped: [] },
      { type: 'ATTEMPT_OK', output: { answer: 42, at: new Date(0).toISOString() } },
      { type: 'OUTPUT_VALID' },
    ];
    const seen: string[] = [];
    for (const event of events) {
      expect(persistedSnapshot(actor)).toStrictEqual(actor.getPersistedSnapshot());
      actor.send(event);
      seen.push(String(actor.getSnapshot().value));
    }
    expect(persistedSnapshot(actor)).toStrictEqual(actor.getPersistedSnapshot());
    expect(seen).toEqual(['routing', 'attempting', 'waiting', 'attempting', 'routing', 'attempting', 'validating', 'completed']);
  });

  it('restores to the same state and context', () => {
    const actor = createActor(taskMachine, { input });
    actor.start();
    actor.send({ type: 'START' });
    actor.send({ type: 'ROUTED', agent: 'a', index: 0, skipped: [] });
    actor.send(failed(0));
    const restored = createActor(taskMachine, {
      snapshot: JSON.parse(JSON.stringify(persistedSnapshot(actor))) as never,
      input: undefined as never,
    });
    restored.start();
    expect(restored.getSnapshot().value).toBe('waiting');
    expect(restored.getSnapshot().context).toEqual(actor.getSnapshot().context);
    restored.send({ type: 'WAKE' });
    expect(restored.getSnapshot().context.attempt).toBe(2);
  });
});
