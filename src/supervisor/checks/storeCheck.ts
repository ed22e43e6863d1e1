import type { Clock } from '../../clock/index.js';
import type { SupervisorStore } from '../SupervisorHost.js';
import { abortable, type HealthCheck } from './HealthCheck.js';

/** The breaker row the store check writes and reads back; no agent can have this id. */
export const STORE_PROBE_KEY = '__warden_probe__';

/**
 * Writes a tiny row and reads it back: the store is reachable and writable. It uses the breaker
 * table (`saveBreaker` + `loadBreakers`), so the Store interface needs nothing new; the row's key
 * is not a valid agent id, so no agent ever picks it up.
 */
export function storeCheck(store: Pick<SupervisorStore, 'kind' | 'saveBreaker' | 'loadBreakers'>, clock: Clock): HealthCheck {
  let n = 0;
  return {
    type: 'store',
    run: async (signal) => {
      const nonce = `${clock.now()}-${++n}`;
      const started = performance.now();
      await abortable(store.saveBreaker(STORE_PROBE_KEY, { nonce }, clock.now()), signal);
      const rows = await abortable(store.loadBreakers(), signal);
      const ms = Math.round(performance.now() - started);
      const row = rows.find((r) => r.agent === STORE_PROBE_KEY);
      const ok = (row?.snapshot as { nonce?: string } | undefined)?.nonce === nonce;
      return {
        ok,
        value: ms,
        detail: ok ? `${store.kind} store wrote and read back a row in ${ms} ms` : `${store.kind} store did not read back what it wrote`,
      };
    },
  };
}
