import { afterEach, describe, expect, it } from 'vitest';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { runCli } from './helpers/warden.js';

const lines = (text: string) => text.split('\n').filter(Boolean);
const probe = { type: 'http', url: 'http://127.0.0.1:9/health' };
const sim = { type: 'simulated' };

let temp: TempConfig | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
});

async function validate(config: unknown) {
  temp = await writeTempConfig(config, [{ name: 'w', agent: 'a' }]);
  return runCli(['validate', '--config', temp.configPath], { cwd: temp.dir });
}

describe('warden validate on recovery ladders', () => {
  it('refuses an unknown strategy name with exit 1 and the dotted path', async () => {
    const { code, stdout, stderr } = await validate({
      agents: { a: { adapter: sim, healthCheck: probe, recovery: [{ strategy: 'reset-circuit' }, { strategy: 'reboot-universe' }] } },
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([
      expect.stringMatching(
        /^agents\.config\.json: agents\.a\.recovery\.1\.strategy: must be one of "restart-process", "reset-circuit", .*"module"$/,
      ),
    ]);
  });

  it('refuses strategies that do not fit their component, each on its own line', async () => {
    const { code, stderr } = await validate({
      agents: {
        a: { adapter: sim, healthCheck: probe, recovery: [{ strategy: 'restart-process' }, { strategy: 'clear-caches' }] },
        b: { adapter: sim, recovery: [{ strategy: 'drain' }] },
      },
      supervisor: {
        recovery: { heap: [{ strategy: 'reset-circuit' }], 'event-loop': [{ strategy: 'reconnect' }], store: [{ strategy: 'reconnect' }] },
      },
    });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      'agents.config.json: agents.a.recovery.0.strategy: restart-process needs an agent that Warden manages: add "process" to the agent',
      'agents.config.json: agents.a.recovery.1.strategy: clear-caches fits system checks only (event-loop, heap, store, channels, queue)',
      'agents.config.json: agents.b.recovery: needs a healthCheck or a process: without one nothing can find the agent unhealthy',
      'agents.config.json: supervisor.recovery.event-loop.0.strategy: reconnect fits the store and channels checks only, not the event-loop check',
      'agents.config.json: supervisor.recovery.heap.0.strategy: reset-circuit fits agents only, not the heap check',
    ]);
  });

  it('refuses a missing module file, a shrinking restart backoff and an unknown system check', async () => {
    const { code, stderr } = await validate({
      agents: {
        a: {
          adapter: sim,
          process: { command: 'node', args: ['agent.js'], restartBackoff: { initialMs: '1m', maxMs: '10s' } },
          recovery: [{ strategy: 'module', path: './nope.js' }],
        },
      },
      supervisor: { checks: ['heap', 'disk'] },
    });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([
      expect.stringMatching(/^agents\.config\.json: supervisor\.checks\.1: .*"event-loop".*$/),
      'agents.config.json: agents.a.process.restartBackoff.maxMs: must be ≥ initialMs (60000)',
      'agents.config.json: agents.a.recovery.0.path: module file not found: ./nope.js (resolved relative to the config file)',
    ]);
  });

  it('accepts a managed agent with its ladder and the system ladders', async () => {
    const { code, stdout, stderr } = await validate({
      agents: {
        a: {
          adapter: { type: 'http', url: 'http://127.0.0.1:9101/run' },
          process: { command: 'node', args: ['agent.js'], maxRestarts: 3, withinMs: '5m' },
          healthCheck: { type: 'http', url: 'http://127.0.0.1:9101/health', startupGraceMs: '5s' },
          recovery: [
            { strategy: 'reset-circuit' },
            { strategy: 'restart-process' },
            { strategy: 'webhook', url: 'http://127.0.0.1:9/hook' },
          ],
        },
      },
      supervisor: {
        intervalMs: '2s',
        recovery: {
          heap: [{ strategy: 'clear-caches' }],
          store: [{ strategy: 'reconnect' }],
          queue: [{ strategy: 'command', command: 'true' }],
        },
      },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)[0]).toBe('agents.config.json: 1 agent, 0 fallback chains, 1 channel');
  });
});
