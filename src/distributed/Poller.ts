/**
 * Runs `tick` every `everyMs` of real time, one at a time, until stopped. Errors are reported,
 * not thrown. (A few lines of our own rather than a scheduler library: it only needs to be
 * sequential and stoppable.)
 * @internal
 */
export function poll(everyMs: number, tick: () => Promise<void>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch(onError)
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(loop, everyMs);
          timer.unref();
        }
      });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
