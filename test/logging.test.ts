/**
 * The log of `warden serve` as a person and as a machine read it: pino-pretty's lines on a
 * terminal (or with WARDEN_LOG_FORMAT=pretty), JSON lines through a pipe.
 */
import { describe, expect, it } from 'vitest';
import { writeTempConfig } from './helpers/tempConfig.js';
import { startWarden, until } from './helpers/warden.js';

describe('the log of warden serve', () => {
  // WARDEN_CLOCK_RATE makes serve log a warning at start, so there is a line to look at.
  async function firstLogLine(env: Record<string, string>): Promise<string> {
    const tmp = await writeTempConfig({ agents: { a: { adapter: { type: 'simulated' } } }, store: 'memory:' });
    const warden = await startWarden(['--config', tmp.configPath], { env: { WARDEN_CLOCK_RATE: '2', ...env } });
    try {
      return await until(async () =>
        warden
          .stderr()
          .split('\n')
          .find((l) => l.includes('WARDEN_CLOCK_RATE=2')),
      );
    } finally {
      await warden.stop();
      await tmp.remove();
    }
  }

  it('is JSON lines when stderr is not a terminal', async () => {
    const line = await firstLogLine({});
    expect(JSON.parse(line)).toMatchObject({ level: 40, name: 'warden', rate: 2 });
  });

  it('is readable lines with pino-pretty when asked for, as on a terminal', async () => {
    const line = await firstLogLine({ WARDEN_LOG_FORMAT: 'pretty' });
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: WARDEN_CLOCK_RATE=2: engine time runs 2× faster/);
    expect(line).not.toContain('\x1b[');
  });
});
