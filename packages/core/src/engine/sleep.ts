/** setTimeout fires at once (with a warning) beyond this; a `deleteDelay` of 30 days is longer. */
const MAX_TIMER_MS = 2_147_483_647;

/** Resolves after `ms`, or early (without throwing) when the signal aborts: callers check the signal themselves. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    let timer = setTimeout(tick, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener('abort', done, { once: true });
    function tick(): void {
      const left = until - Date.now();
      if (left > 0) timer = setTimeout(tick, Math.min(left, MAX_TIMER_MS));
      else done();
    }
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
