/**
 * An agent's health endpoint for tests of a real supervisor: `GET /health` answers 200 until the
 * test turns the server off, and then the port refuses connections, as a crashed agent's does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  /** The URL to give an `http` health check. */
  readonly url: string;
  /** Stops answering: every probe after this fails with a refused connection. Safe to call twice. */
  turnOff(): Promise<void>;
}

/** Starts a health endpoint on a free loopback port. */
export async function startHealthServer(): Promise<HealthServer> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(req.url === '/health' ? 200 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  let off: Promise<void> | undefined;
  return {
    url,
    turnOff: () =>
      (off ??= new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      })),
  };
}
