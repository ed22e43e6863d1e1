/**
 * `work`, or a rejection as soon as `signal` aborts, whichever comes first: for work that cannot
 * itself be cancelled (a module's function, a health probe). The rejection is `reason(signal)`,
 * by default the signal's own reason. The abort listener is removed when the work settles.
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal,
  reason: (signal: AbortSignal) => unknown = (s) => s.reason,
): Promise<T> {
  if (signal.aborted) return Promise.reject(reason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
