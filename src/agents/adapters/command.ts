import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';
import { isErrorCode, wardenError } from '../../errors/index.js';
import type { WardenError } from '../../errors/index.js';
import { abortError } from '../abortError.js';
import type { AdapterContext, AgentAdapter, AgentRequest } from '../AgentAdapter.js';
import type { CommandAdapterConfig } from '../../config/adapterSchema.js';
import { forAgent } from '../forAgent.js';
import { snippet } from './postJson.js';
import { outputOf, protocolBody } from './protocol.js';

/** The most stdout kept; a program writing more is stopped and its answer refused. */
export const MAX_STDOUT_BYTES = 10 * 1024 * 1024;
/** How much of the end of stderr is kept, for error messages and `details.stderr`. */
export const MAX_STDERR_BYTES = 64 * 1024;
/** How long a program has to exit after SIGTERM before it is sent SIGKILL. */
export const KILL_GRACE_MS = 2000;
/** How much of the stderr tail goes into an error message; the whole tail is in `details.stderr`. */
const STDERR_IN_MESSAGE = 2000;

/**
 * The variables a program inherits from Warden's environment. Everything else (API keys, tokens,
 * database URLs) stays with Warden: a program gets only these and the config's own `env`.
 * `SYSTEMROOT` and `WINDIR` are needed by many programs on Windows.
 */
export const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'WINDIR'] as const;

/**
 * A local program as an agent: the request as one line of JSON on stdin (the protocol body plus
 * `idempotencyKey`), the answer as JSON on stdout. As with the `http` adapter, the output is the
 * answer's `output` field, or the whole answer when it has none. An answer
 * `{ "error": { "code", "message", "retryable"? } }` is a failure the program reports itself.
 *
 * Failures: a non-zero exit is `COMMAND_FAILED` with the exit status and the tail of stderr
 * (not retryable, unless stdout reported a retryable error); stdout that is not JSON is
 * `AGENT_RESPONSE_MALFORMED`; a program that cannot be started is `COMMAND_FAILED`, not
 * retryable. On abort the program gets SIGTERM, then SIGKILL {@link KILL_GRACE_MS} later; on
 * POSIX the signal goes to its whole process group, so helpers it started die with it.
 *
 * @example
 * commandAdapter('linter', { type: 'command', command: 'node', args: ['agents/lint.js'] }, ctx);
 */
export function commandAdapter(agentId: string, config: CommandAdapterConfig, ctx: AdapterContext): AgentAdapter {
  const cwd = resolve(ctx.configDir, config.cwd ?? '.');
  return {
    async call(req: AgentRequest, signal: AbortSignal): Promise<unknown> {
      if (signal.aborted) throw forAgent(abortError(signal), agentId);
      const stdin = `${JSON.stringify({ ...protocolBody(req), idempotencyKey: req.idempotencyKey })}\n`;
      let result: ChildResult;
      try {
        result = await runChild(
          config.command,
          config.args,
          {
            // No shell, ever: the command and its arguments go to the OS exactly as configured, and
            // task input travels only on stdin, so nothing a task says can be run as a command.
            shell: false,
            cwd,
            env: childEnv(ctx.env, config.env),
            stdio: ['pipe', 'pipe', 'pipe'],
            windowsHide: true,
            // a group of its own, so an abort can signal the program and everything it started
            detached: process.platform !== 'win32',
          },
          stdin,
          signal,
        );
      } catch (e) {
        throw forAgent(startFailure(e, config.command, cwd, signal, ctx), agentId);
      }
      return interpret(result, config.command, agentId);
    },
  };
}

/** The environment a program runs with: the {@link INHERITED_ENV} part of `env`, then `extra`. */
function childEnv(env: AdapterContext['env'], extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of INHERITED_ENV) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, ...extra };
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Thrown inside {@link runChild} when stdout passes its cap. */
class StdoutOverflow extends Error {}

/** Runs the program to completion, or rejects on a start failure, an abort or a stdout overflow. */
function runChild(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  stdin: string,
  signal: AbortSignal,
): Promise<ChildResult> {
  return new Promise<ChildResult>((resolvePromise, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, options);
    } catch (e) {
      // invalid arguments (e.g. a NUL byte) throw synchronously instead of emitting 'error'
      reject(e);
      return;
    }
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new TailBuffer(MAX_STDERR_BYTES);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      terminate(child);
      settle(() => reject(abortError(signal)));
    };
    signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e) => {
      terminate(child);
      settle(() => reject(e));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes > MAX_STDOUT_BYTES) {
        terminate(child);
        settle(() => reject(new StdoutOverflow()));
        return;
      }
      stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    // 'close' rather than 'exit': it waits until stdout and stderr are fully read
    child.on('close', (code, sig) => {
      settle(() => resolvePromise({ code, signal: sig, stdout: Buffer.concat(stdout).toString('utf8'), stderr: stderr.text() }));
    });
    // a program may exit without reading its stdin; its exit status tells that story, not EPIPE
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin);
  });
}

/**
 * SIGTERM now, SIGKILL after {@link KILL_GRACE_MS}. Real timers, not the injected clock: the
 * program lives in real time whatever clock the engine runs on. The timer is unref'd so a
 * dying program never keeps Warden alive.
 */
function terminate(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  signalTree(child, 'SIGTERM');
  const timer = setTimeout(() => signalTree(child, 'SIGKILL'), KILL_GRACE_MS);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

function signalTree(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    // a negative pid signals the process group, which `detached` made the child the leader of
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    child.kill(sig); // the group is gone (or was never made); the child itself may remain
  }
}

function startFailure(e: unknown, command: string, cwd: string, signal: AbortSignal, ctx: AdapterContext): WardenError {
  if (signal.aborted) return abortError(signal);
  if (e instanceof StdoutOverflow) {
    return wardenError('AGENT_RESPONSE_MALFORMED', `agent command "${command}" wrote more than ${MAX_STDOUT_BYTES} bytes to stdout`);
  }
  const code = (e as { code?: unknown } | null)?.code;
  const why =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? 'was not found'
      : code === 'EACCES'
        ? 'is not executable'
        : typeof code === 'string' && code.startsWith('ERR_INVALID_ARG')
          ? `could not be started: ${(e as Error).message}`
          : undefined;
  if (why !== undefined) {
    return wardenError(
      'COMMAND_FAILED',
      `agent command "${command}" ${why} (${String(code)}); check command, args, PATH and cwd "${cwd}"`,
      {
        retryable: false,
        cause: e,
        details: { errorCode: code },
      },
    );
  }
  return ctx.classifier.classify(e);
}

/** Turns a finished run into the output, or the error it stands for. */
function interpret(r: ChildResult, command: string, agentId: string): unknown {
  const answer = parseAnswer(r.stdout);
  const reported = answer.ok ? reportedError(answer.value) : undefined;
  if (r.code !== 0) {
    if (reported) throw forAgent(reported, agentId);
    const how = r.code === null ? `was killed by ${r.signal ?? 'a signal'}` : `exited with status ${r.code}`;
    const tail = r.stderr.trim();
    const shown = tail.length > STDERR_IN_MESSAGE ? `…${tail.slice(-STDERR_IN_MESSAGE)}` : tail;
    throw forAgent(
      wardenError('COMMAND_FAILED', `agent command "${command}" ${how}${shown === '' ? '' : `: ${shown}`}`, {
        retryable: false,
        details: { exitCode: r.code, signal: r.signal, stderr: tail },
      }),
      agentId,
    );
  }
  if (!answer.ok) {
    const what = r.stdout.trim() === '' ? 'nothing' : `something that is not JSON: ${snippet(r.stdout)}`;
    throw forAgent(
      wardenError('AGENT_RESPONSE_MALFORMED', `agent command "${command}" wrote ${what} to stdout`, {
        details: { stderr: r.stderr.trim() },
      }),
      agentId,
    );
  }
  if (reported) throw forAgent(reported, agentId);
  return outputOf(answer.value);
}

/**
 * The JSON on stdout: all of it, or else its last non-empty line, so that a program may log
 * to stdout before it answers.
 */
function parseAnswer(stdout: string): { ok: true; value: unknown } | { ok: false } {
  const whole = stdout.trim();
  if (whole === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(whole) as unknown };
  } catch {
    const last = whole.split(/\r?\n/).findLast((line) => line.trim() !== '');
    if (last === undefined || last.trim() === whole) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(last) as unknown };
    } catch {
      return { ok: false };
    }
  }
}

/**
 * The error in an answer `{ "error": { "code", "message", "retryable"? } }` with no `output`.
 * A built-in code keeps its meaning; any other becomes `COMMAND_FAILED`, with the program's
 * code kept as `details.agentErrorCode` either way.
 */
function reportedError(answer: unknown): WardenError | undefined {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer) || Object.hasOwn(answer, 'output')) {
    return undefined;
  }
  const error: unknown = (answer as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return undefined;
  const { code, message, retryable } = error as { code?: unknown; message?: unknown; retryable?: unknown };
  const agentCode = typeof code === 'string' && code !== '' ? code : undefined;
  const text = typeof message === 'string' && message !== '' ? message : `agent reported ${agentCode ?? 'an error'}`;
  return wardenError(agentCode !== undefined && isErrorCode(agentCode) ? agentCode : 'COMMAND_FAILED', text, {
    ...(typeof retryable === 'boolean' ? { retryable } : {}),
    ...(agentCode === undefined ? {} : { details: { agentErrorCode: agentCode } }),
  });
}

/** Keeps the last `cap` bytes written to it. */
class TailBuffer {
  readonly #cap: number;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.byteLength;
    // compact only once well past the cap, so a chatty program costs amortised O(1) a chunk
    if (this.#bytes > this.#cap * 2) this.#compact();
  }

  text(): string {
    this.#compact();
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  #compact(): void {
    if (this.#bytes <= this.#cap) return;
    const all = Buffer.concat(this.#chunks);
    const tail = all.subarray(all.byteLength - this.#cap);
    this.#chunks = [tail];
    this.#bytes = tail.byteLength;
  }
}
