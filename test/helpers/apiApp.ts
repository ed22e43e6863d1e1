/**
 * An engine and its Hono app in this process, for API tests that need no child process:
 * `app.request()` goes through every middleware without a socket.
 */
import type { Hono } from 'hono';
import type { Clock } from '../../src/clock/index.js';
import { createApp, type AppOptions } from '../../src/http/app.js';
import { createEngine } from '../../src/lifecycle/createEngine.js';
import type { Engine } from '../../src/lifecycle/Engine.js';
import { silentLogger, type Logger } from '../../src/lifecycle/logger.js';
import { writeTempConfig, type TempConfig } from './tempConfig.js';

export interface ApiApp {
  engine: Engine;
  app: Hono;
  tmp: TempConfig;
  /** A request with a JSON body (strings are sent as they are). */
  req(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; text: string; json: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Writes the config (and `files`, e.g. module agents) to a temp dir and serves it from memory. */
export async function apiApp(opts: {
  config: Record<string, unknown>;
  workflows: Record<string, unknown>[];
  files?: Record<string, string>;
  env?: Record<string, string>;
  app?: AppOptions;
  /** Defaults to a silent one. */
  logger?: Logger;
  /** The engine's clock (and its supervisor's). Defaults to the system clock. */
  clock?: Clock;
}): Promise<ApiApp> {
  const tmp = await writeTempConfig({ store: 'memory:', ...opts.config }, opts.workflows);
  for (const [file, text] of Object.entries(opts.files ?? {})) await tmp.write(file, text);
  const engine = await createEngine({
    configPath: tmp.configPath,
    store: 'memory:',
    logger: opts.logger ?? silentLogger,
    env: { ...process.env, ...opts.env },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const app = createApp(engine, opts.app);
  return {
    engine,
    app,
    tmp,
    async req(method, path, body, headers = {}) {
      const res = await app.request(path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json, headers: res.headers };
    },
    async close() {
      await engine.stop({ drainTimeoutMs: 0 });
      await tmp.remove();
    },
  };
}
