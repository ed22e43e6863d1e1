import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Engine } from '../lifecycle/Engine.js';
import { createApp, type AppOptions } from './app.js';

/** Options for {@link startServer}. */
export interface ServerOptions extends AppOptions {
  /** Defaults to 127.0.0.1: loopback only. */
  host?: string;
  /** Defaults to 8080; 0 picks a free port. */
  port?: number;
  /** How long one request may take before the socket is closed. Defaults to 30 s. */
  requestTimeoutMs?: number;
}

/** A running HTTP server. */
export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: ServerType;
  close(): Promise<void>;
}

/** Serves the API and dashboard for `engine`. Resolves once the port is bound. */
export function startServer(engine: Engine, opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const app = createApp(engine, opts);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 8080 }, (info: AddressInfo) => {
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      const s = server as import('node:http').Server;
      s.requestTimeout = opts.requestTimeoutMs ?? 30_000;
      s.headersTimeout = Math.min(s.requestTimeout, 20_000);
      resolve({
        url: `http://${shown}:${info.port}`,
        host: info.address,
        port: info.port,
        server,
        close: () =>
          new Promise<void>((res) => {
            (server as import('node:http').Server).closeAllConnections?.();
            server.close(() => res());
          }),
      });
    });
    server.once('error', reject);
  });
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
