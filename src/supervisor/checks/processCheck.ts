import type { ManagedProcess } from '../ManagedProcess.js';
import type { HealthCheck } from './HealthCheck.js';

/** Liveness of a managed process that has no health check of its own: it passes while the program runs. */
export function processCheck(proc: ManagedProcess): HealthCheck {
  return {
    type: 'process',
    run: async () =>
      proc.running ? { ok: true, detail: `running (pid ${proc.pid})` } : { ok: false, detail: `not running (${proc.state})` },
  };
}
