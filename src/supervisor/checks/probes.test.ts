import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandCheck } from './commandCheck.js';
import { httpCheck } from './httpCheck.js';

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/ok' ? 204 : 302, { location: '/ok' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const never = () => new AbortController().signal;

describe('the HTTP probe', () => {
  it('passes on a 2xx and fails on anything else, redirects included', async () => {
    expect(await httpCheck(`${base}/ok`).run(never())).toEqual({ ok: true, detail: 'HTTP 204', value: 204 });
    expect(await httpCheck(`${base}/moved`).run(never())).toEqual({ ok: false, detail: 'HTTP 302', value: 302 });
  });

  it('gives up when its signal aborts (the timeout), and on a refused connection', async () => {
    const abort = new AbortController();
    const pending = httpCheck(`${base}/hang`).run(abort.signal);
    abort.abort(new DOMException('timed out', 'TimeoutError'));
    await expect(pending).rejects.toThrow();
    await expect(httpCheck('http://127.0.0.1:1/health').run(never())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('the command probe', () => {
  it('passes on exit code 0 only, running the program without a shell', async () => {
    const run = (code: string) => commandCheck(process.execPath, ['-e', code], process.cwd()).run(never());
    expect(await run('process.exit(0)')).toEqual({ ok: true, detail: 'exit code 0', value: 0 });
    expect(await run('process.exit(3)')).toEqual({ ok: false, detail: 'exit code 3', value: 3 });
    // No shell: the metacharacters are one literal argument, which node is asked to run as a file.
    expect(await commandCheck(process.execPath, ['; exit 0'], process.cwd()).run(never())).toMatchObject({ ok: false });
  });
});
