import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI entry point (`npm test` builds first). */
export const BIN = fileURLToPath(new URL('../../bin/warden.js', import.meta.url));

/** A `warden serve` child process. */
export interface WardenProcess {
  readonly url: string;
  readonly proc: ChildProcess;
  /** Everything written so far, stdout and stderr. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the CLI to completion. `node` is the Node running the tests (the pinned Node 24). */
export function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, WARDEN_LOG_LEVEL: 'warn', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    if (opts.input !== undefined) p.stdin.end(opts.input);
    else p.stdin.end();
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts `warden serve --port 0` and resolves once it prints `listening on …`.
 * Rejects with its output if it exits first or takes longer than `timeoutMs`.
 */
export function startWarden(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<WardenProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, WARDEN_LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`warden serve did not start:\n${out}\n${err}`));
    }, opts.timeoutMs ?? 20_000);
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          proc,
          stdout: () => out,
          stderr: () => err,
          exited,
          stop: async (signal = 'SIGTERM') => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`warden serve exited (${code ?? signal}) before listening:\n${out}\n${err}`));
    });
  });
}

/** JSON fetch against a running Warden. */
export async function api<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json as T, text, headers: res.headers };
}

/** Polls `fn` (real time, short interval) until it returns a truthy value. For waiting on a child process, never on a backoff. */
export async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('until: timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
