import http from 'node:http';
import https from 'node:https';
import type { HealthCheck } from './HealthCheck.js';

/**
 * Probes `GET url`; any 2xx within the timeout passes, like a Kubernetes httpGet probe. Every
 * probe opens its own connection (no keep-alive), so a hung pool can't make a dead agent look alive.
 *
 * @example
 * const check = httpCheck('http://127.0.0.1:9001/health');
 * await check.run(AbortSignal.timeout(1000)); // { ok: true, detail: 'HTTP 200' }
 */
export function httpCheck(url: string): HealthCheck {
  const client = url.startsWith('https:') ? https : http;
  return {
    type: 'http',
    run: (signal) =>
      new Promise((resolve, reject) => {
        const req = client.get(
          url,
          { agent: false, signal, headers: { connection: 'close', 'user-agent': 'warden-supervisor' } },
          (res) => {
            const status = res.statusCode ?? 0;
            res.resume();
            res.on('end', () => resolve({ ok: status >= 200 && status < 300, detail: `HTTP ${status}`, value: status }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
      }),
  };
}
