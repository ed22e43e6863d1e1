import { spawn } from 'node:child_process';
import type { HealthCheck } from './HealthCheck.js';

/**
 * Runs a program without a shell; exit code 0 passes, like a Kubernetes exec probe. It is
 * killed (SIGKILL) when the check times out.
 *
 * @example
 * commandCheck('pg_isready', ['-h', '127.0.0.1'], '/srv/warden');
 */
export function commandCheck(command: string, args: readonly string[], cwd: string): HealthCheck {
  return {
    type: 'command',
    run: (signal) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, stdio: 'ignore', shell: false, signal, killSignal: 'SIGKILL', windowsHide: true });
        child.once('error', reject);
        child.once('exit', (code, sig) =>
          resolve({ ok: code === 0, detail: sig ? `killed by ${sig}` : `exit code ${code}`, value: code ?? -1 }),
        );
      }),
  };
}
