import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentRequest, defaultProtocolBody, failure, never, testContext } from '../../../test/fixtures/agents/helpers.js';
import type { CommandAdapterConfig } from '../../config/adapterSchema.js';
import { commandAdapter } from './command.js';

const node = process.execPath;

let tmp: string | undefined;
afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

function scripted(mode: string, arg?: string): CommandAdapterConfig {
  return { type: 'command', command: node, args: ['scripted-agent.js', mode, ...(arg === undefined ? [] : [arg])] };
}

/** Real time, because the process is real: polls `check` until it is true or 10 s pass. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition never became true');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('commandAdapter', () => {
  it('writes the request as JSON on stdin and answers with the output field of stdout', async () => {
    const adapter = commandAdapter('echo', { type: 'command', command: node, args: ['echo-agent.js'] }, testContext());
    const output = (await adapter.call(agentRequest(), never)) as { received: unknown; request: unknown };
    expect(output.received).toEqual({ content: 'hello' });
    expect(output.request).toEqual({ ...defaultProtocolBody, idempotencyKey: 'task-1:reviewer' });
  });

  it('passes shell metacharacters to the agent byte for byte and runs none of them', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'warden-cmd-'));
    const payload = `"; touch PWNED-2 #$(touch PWNED) \`touch PWNED-3\` | cat && echo > PWNED-4 ' \\ \n\t ünïcode ✓ \u0000 %PATH%`;
    const asArg = payload.replace('\u0000', ''); // the OS cannot pass a NUL byte in an argument
    const adapter = commandAdapter(
      'echo',
      // the payload also goes in as an argument, which must not be interpreted either
      { type: 'command', command: node, args: [join(testContext().configDir, 'echo-agent.js'), asArg], cwd: tmp },
      testContext(),
    );
    const output = (await adapter.call(agentRequest({ input: payload }), never)) as {
      received: unknown;
      raw: string;
      argv: string[];
      cwd: string;
    };
    expect(output.received).toBe(payload);
    expect(output.raw).toContain(JSON.stringify(payload));
    expect(output.argv).toEqual([asArg]);
    expect(await readdir(tmp)).toEqual([]);
    expect(existsSync(join(tmp, 'PWNED'))).toBe(false);
  });

  it('gives the program only PATH-like variables from the environment plus its configured env', async () => {
    const adapter = commandAdapter(
      'echo',
      { type: 'command', command: node, args: ['echo-agent.js'], env: { AGENT_MODE: 'test' } },
      testContext({ env: { PATH: process.env['PATH'], HOME: 'warden-home', OPENAI_API_KEY: 'sk-never-shared' } }),
    );
    const output = (await adapter.call(agentRequest(), never)) as { envKeys: string[] };
    expect(output.envKeys).toContain('PATH');
    expect(output.envKeys).toContain('HOME');
    expect(output.envKeys).toContain('AGENT_MODE');
    expect(output.envKeys).not.toContain('OPENAI_API_KEY');
  });

  it('runs the program in cwd resolved against the config folder', async () => {
    const adapter = commandAdapter('echo', { type: 'command', command: node, args: ['agents/echo-agent.js'], cwd: '..' }, testContext());
    const output = (await adapter.call(agentRequest(), never)) as { cwd: string };
    expect(output.cwd).toBe(join(testContext().configDir, '..'));
  });

  it('takes the last line of stdout as the answer when the program logs before it answers', async () => {
    const adapter = commandAdapter('chatty', scripted('log-then-answer'), testContext());
    await expect(adapter.call(agentRequest({ input: 42 }), never)).resolves.toEqual({ answer: 42 });
  });

  it('fails a non-zero exit with COMMAND_FAILED, the exit status and the tail of stderr', async () => {
    const adapter = commandAdapter('broken', scripted('fail', '3'), testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('COMMAND_FAILED');
    expect(err.retryable).toBe(false);
    expect(err.agent).toBe('broken');
    expect(err.message).toContain('exited with status 3');
    expect(err.message).toContain('fatal: the model file is missing');
    expect(err.details?.['exitCode']).toBe(3);
  });

  it('refuses stdout that is not JSON as AGENT_RESPONSE_MALFORMED', async () => {
    const adapter = commandAdapter('garbage', scripted('garbage'), testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('AGENT_RESPONSE_MALFORMED');
    expect(err.message).toContain('this is not json at all');
  });

  it('treats an { error } answer as the failure it reports, keeping a built-in code and its retryable flag', async () => {
    const adapter = commandAdapter(
      'busy',
      scripted('report-error', JSON.stringify({ code: 'RATE_LIMITED', message: 'quota used up', retryable: true })),
      testContext(),
    );
    const err = await failure(adapter.call(agentRequest({ input: { exitCode: 1 } }), never));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toBe('quota used up');
    expect(err.retryable).toBe(true);
  });

  it('reports an unknown code from an { error } answer as COMMAND_FAILED, keeping the agent code', async () => {
    const adapter = commandAdapter(
      'picky',
      scripted('report-error', JSON.stringify({ code: 'DIFF_TOO_LARGE', message: 'diff over 1 MB' })),
      testContext(),
    );
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('COMMAND_FAILED');
    expect(err.message).toBe('diff over 1 MB');
    expect(err.details?.['agentErrorCode']).toBe('DIFF_TOO_LARGE');
  });

  it('fails a command that does not exist with COMMAND_FAILED, not retryable', async () => {
    const adapter = commandAdapter('ghost', { type: 'command', command: 'warden-no-such-agent-binary', args: [] }, testContext());
    const err = await failure(adapter.call(agentRequest(), never));
    expect(err.code).toBe('COMMAND_FAILED');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('warden-no-such-agent-binary');
  });

  it('kills a hanging program on abort and throws CANCELLED', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'warden-cmd-'));
    const pidFile = join(tmp, 'pid');
    const controller = new AbortController();
    const adapter = commandAdapter('sleepy', scripted('hang'), testContext());
    const call = failure(adapter.call(agentRequest({ input: { pidFile } }), controller.signal));
    await eventually(() => existsSync(pidFile));
    const pid = Number(await readFile(pidFile, 'utf8'));
    controller.abort();
    expect((await call).code).toBe('CANCELLED');
    await eventually(() => !alive(pid));
  });

  it('sends SIGKILL to a program that ignores SIGTERM, and reports a TimeoutError abort as AGENT_TIMEOUT', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'warden-cmd-'));
    const pidFile = join(tmp, 'pid');
    const controller = new AbortController();
    const adapter = commandAdapter('stubborn', scripted('hang', 'ignore-term'), testContext());
    const call = failure(adapter.call(agentRequest({ input: { pidFile } }), controller.signal));
    await eventually(() => existsSync(pidFile));
    const pid = Number(await readFile(pidFile, 'utf8'));
    controller.abort(new DOMException('attempt timed out', 'TimeoutError'));
    expect((await call).code).toBe('AGENT_TIMEOUT');
    expect(alive(pid)).toBe(true);
    await eventually(() => !alive(pid));
  });
});
