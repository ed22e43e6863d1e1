import { describe, expect, it } from 'vitest';
import { decideRestart, NO_RESTARTS, type RestartDecision, type RestartHistory } from './restartPolicy.js';

const K8S = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000, maxRestarts: 100, withinMs: 600_000 };

/** Feeds exits (at, uptime) through the policy and returns each decision. */
function run(exits: [number, number][], opts = K8S): RestartDecision[] {
  let history: RestartHistory = NO_RESTARTS;
  return exits.map(([at, uptimeMs]) => {
    const d = decideRestart(history, { at, uptimeMs }, opts);
    history = d.history;
    return d;
  });
}

describe('decideRestart', () => {
  it('backs off 10 s doubling to a 5-minute cap, as Kubernetes does', () => {
    let at = 0;
    const exits: [number, number][] = [];
    for (let i = 0; i < 8; i++) {
      exits.push([at, 100]);
      at += 400_000;
    }
    const delays = run(exits, { ...K8S, withinMs: 1 }).map((d) => (d.action === 'restart' ? d.delayMs : -1));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('starts again at the initial delay after a run of resetAfterMs without exiting', () => {
    const d = run(
      [
        [0, 100],
        [10_100, 100],
        [30_200, 100],
        [2_000_000, 600_000],
        [2_010_100, 100],
      ],
      { ...K8S, withinMs: 1 },
    );
    expect(d.map((x) => (x.action === 'restart' ? x.delayMs : -1))).toEqual([10_000, 20_000, 40_000, 10_000, 20_000]);
  });

  it.each([
    // maxRestarts, exits within the window, decisions
    [3, [0, 10_000, 30_000, 70_000], ['restart', 'restart', 'restart', 'give-up']],
    [0, [0], ['give-up']],
    [1, [0, 700_000], ['restart', 'restart']],
  ] as const)('with MaxR %i gives up on the exit past the limit within MaxT', (maxRestarts, ats, actions) => {
    const d = run(
      ats.map((at) => [at, 50] as [number, number]),
      { ...K8S, maxRestarts, withinMs: 600_000 },
    );
    expect(d.map((x) => x.action)).toEqual(actions);
  });

  it('counts a restart a strategy asked for towards the intensity, without delay or a longer backoff', () => {
    const opts = { ...K8S, maxRestarts: 2 };
    const first = decideRestart(NO_RESTARTS, { at: 0, uptimeMs: 5, immediate: true }, opts);
    expect(first).toMatchObject({ action: 'restart', delayMs: 0, history: { streak: 0, restartsAt: [0] } });
    const second = decideRestart(first.history, { at: 5, uptimeMs: 5 }, opts);
    expect(second).toMatchObject({ action: 'restart', delayMs: 10_000 });
    expect(decideRestart(second.history, { at: 10, uptimeMs: 5 }, opts).action).toBe('give-up');
  });
});
