/**
 * Crash points for the crash tests: when `WARDEN_FAILPOINT` names this point, the process kills
 * itself with SIGKILL right there, exactly as a power cut would. Off unless the variable is set.
 * (The same idea as FoundationDB's and TiKV's failpoints.)
 * @internal
 */
export function failpoint(name: 'after-outbox-write' | 'after-send'): void {
  if (process.env.WARDEN_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
