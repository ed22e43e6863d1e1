import type { EventEmitter } from 'eventemitter3';

/**
 * Calls every listener of `event`, so that a throwing listener never breaks the emitter's owner
 * (house style 14) and never stops the listeners after it. Errors go to `onError`, except
 * errors thrown by `error` listeners themselves, which are dropped rather than looped.
 * @internal
 */
export function emitSafely(emitter: EventEmitter, event: string, args: unknown[], onError: (err: unknown) => void): void {
  for (const listener of emitter.listeners(event)) {
    try {
      (listener as (...a: unknown[]) => void)(...args);
    } catch (err) {
      if (event !== 'error') onError(err);
    }
  }
}
