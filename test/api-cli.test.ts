/**
 * The client commands of the CLI against a real `warden serve`: `submit --wait` (plain lines when
 * not a TTY, then the timeline as a table), `show`, and the aligned tables (or `--json`) of
 * `tasks`, `agents` and `escalations`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTempConfig, type TempConfig } from './helpers/tempConfig.js';
import { api, runCli, startWarden, until, type WardenProcess } from './helpers/warden.js';

let tmp: TempConfig;
let warden: WardenProcess;
const cli = (...args: string[]) => runCli([...args, '--url', warden.url]);
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

beforeAll(async () => {
  tmp = await writeTempConfig(
    {
      agents: {
        good: {
          adapter: { type: 'simulated', latencyMs: 0, output: { review: 'LGTM' } },
          capabilities: ['code-review'],
          maxConcurrency: 2,
        },
        flaky: {
          adapter: { type: 'simulated', latencyMs: 0, failureRate: 1 },
          retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' },
        },
        broken: { adapter: { type: 'simulated', latencyMs: 0, failureRate: 1 }, retry: { maxAttempts: 1 } },
      },
      fallbackChains: { flaky: ['good'] },
      store: 'memory:',
      escalation: {
        channels: { console: { type: 'log' } },
        severities: { medium: { channels: ['console'] }, high: { channels: ['console'] } },
      },
    },
    [
      { name: 'chain', agent: 'flaky' },
      { name: 'doomed', agent: 'broken', degraded: { response: { status: 'degraded', message: 'manual review' } } },
    ],
  );
  warden = await startWarden(['--config', tmp.configPath]);
});

afterAll(async () => {
  await warden?.stop();
  await tmp?.remove();
});

/** Column starts of a table's header line, to check that every row lines up under them. */
function columnsOf(header: string): number[] {
  return [...header.matchAll(/(?:^|\s{2})(\S)/g)].map((m) => m.index! + m[0].length - 1);
}

function expectAligned(table: string[], headers: string[]): void {
  const header = table[0]!;
  expect(header.split(/\s{2,}/)).toEqual(headers);
  const starts = columnsOf(header);
  expect(starts).toHaveLength(headers.length);
  for (const row of table.slice(1)) {
    // Each column starts where its header does: the cell before it is padded, then two spaces.
    // (Trailing empty cells are trimmed, so a row may end early.)
    for (const start of starts.slice(1).filter((s) => s < row.length)) expect(row.slice(start - 2, start), row).toBe('  ');
  }
}

describe('warden submit --wait', () => {
  it('prints plain transition lines without a TTY, then the timeline as a table and the outcome', async () => {
    const { code, stdout, stderr } = await cli('submit', 'chain', '--input', '{}', '--wait');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain('\x1b[');
    expect(stdout).not.toContain('\r');
    const out = lines(stdout);
    const id = /^task (\S+) submitted \(chain\)$/.exec(out[0]!)![1]!;
    const transitions = out.filter((l) => /^\d\d:\d\d:\d\d\.\d{3} {2}\S+ → \S+ {2}[A-Z_]+/.test(l));
    expect(transitions.map((l) => l.split(/\s+/)[4])).toEqual([
      'SUBMIT',
      'START',
      'ROUTED',
      'ATTEMPT_FAILED',
      'WAKE',
      'ATTEMPT_FAILED',
      'ROUTED',
      'ATTEMPT_OK',
      'OUTPUT_VALID',
    ]);
    const tableStart = out.findIndex((l) => /^#\s+time\s+transition\s+event/.test(l));
    expect(tableStart).toBeGreaterThan(0);
    const table = out.slice(tableStart, tableStart + 1 + transitions.length);
    expectAligned(table, ['#', 'time', 'transition', 'event', 'agent', 'error', 'in state']);
    expect(table.slice(1).map((r) => r.split(/\s+/)[0])).toEqual(transitions.map((_, i) => String(i + 1)));
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^task ${id} completed by good in \\d+(ms|\\.\\d+s)$`)));
    expect(stdout).toContain('"review": "LGTM"');
  });

  it('prints the task and its timeline as JSON with --json, and exits with the status code', async () => {
    const { code, stdout } = await cli('submit', 'doomed', '--input', '{}', '--wait', '--json');
    expect(code).toBe(3);
    const { task, transitions } = JSON.parse(stdout);
    expect(task.status).toBe('degraded');
    expect(task.output).toEqual({ status: 'degraded', message: 'manual review' });
    expect(transitions.at(-1)).toMatchObject({ to: 'degraded', event: 'DEGRADED' });
  });
});

describe('warden show', () => {
  it('prints the task, the timeline with the time spent in each state, and the attempts', async () => {
    const id = (await cli('submit', 'chain', '--input', '{}')).stdout.trim();
    await until(async () => (await api(warden.url, 'GET', `/api/tasks/${id}`)).body.status === 'completed');
    const { code, stdout } = await cli('show', id);
    expect(code).toBe(0);
    const out = lines(stdout);
    expect(out[0]).toBe(`task      ${id}`);
    expect(out).toContainEqual(expect.stringMatching(/^status {4}completed \(answered by good\)$/));
    expect(out).toContainEqual(expect.stringMatching(/total \d+(ms|\.\d+s)$/));
    const start = out.findIndex((l) => l.startsWith('#'));
    const timeline = out.slice(
      start,
      out.findIndex((l, i) => i > start && l.startsWith('agent ')),
    );
    expectAligned(timeline, ['#', 'time', 'transition', 'event', 'agent', 'error', 'in state']);
    // Every row but the last says how long the task stayed in that state.
    for (const row of timeline.slice(1, -1)) expect(row).toMatch(/\d+(ms|\.\d+s)$/);
    const attempts = out.slice(out.findIndex((l) => l.startsWith('agent ')));
    expect(attempts[0]!.split(/\s{2,}/)).toEqual(['agent', 'attempt', 'outcome', 'error', 'took']);
    expect(attempts.slice(1, 4).map((r) => r.split(/\s+/).slice(0, 3).join(' '))).toEqual(['flaky 1 error', 'flaky 2 error', 'good 1 ok']);

    const json = JSON.parse((await cli('show', id, '--json')).stdout);
    expect(json.task.id).toBe(id);
    expect(json.transitions.length).toBe(timeline.length - 1);
  });
});

describe('listing commands', () => {
  it('`tasks` prints an aligned table, or JSON with --json', async () => {
    const table = lines((await cli('tasks')).stdout);
    expectAligned(table, ['id', 'workflow', 'status', 'state', 'answered by', 'attempts', 'created']);
    const json = JSON.parse((await cli('tasks', '--json')).stdout);
    expect(json.length).toBe(table.length - 1);
  });

  it('`agents` shows health and circuit side by side', async () => {
    const table = lines((await cli('agents')).stdout);
    expectAligned(table, ['agent', 'health', 'circuit', 'in flight', 'queued', 'error rate', 'capabilities']);
    expect(table.find((r) => r.startsWith('good '))).toMatch(/^good\s+\S+\s+closed\s+0\/2\s+0\s+\d+%\s+code-review$/);
    const json = JSON.parse((await cli('agents', '--json')).stdout);
    expect(json.map((a: { id: string }) => a.id)).toEqual(['good', 'flaky', 'broken']);
  });

  it('`escalations` prints an aligned table, or JSON with --json', async () => {
    const table = lines((await cli('escalations')).stdout);
    expectAligned(table, ['id', 'severity', 'status', 'workflow', 'count', 'error', 'channels', 'created']);
    expect(table.length).toBeGreaterThan(1);
    const json = JSON.parse((await cli('escalations', '--json')).stdout);
    expect(json[0]).toMatchObject({ workflow: 'doomed', status: 'open' });
  });
});
