import type { EventBus } from '../events/event-bus.js';
import type { OperationStore } from '../store/operation-store.js';
import { sleep } from './sleep.js';

/**
 * Resolves once the operation is no longer RUNNING (or does not exist), after `ms`, or when `signal` aborts, whichever
 * comes first. Never throws on a timeout or an abort: callers read the operation or check the signal themselves.
 */
export async function waitForFinish(
  { store, bus }: { store: OperationStore; bus: EventBus },
  key: string,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  const finished = new AbortController();
  const reread = (): void => {
    store.getOperation(key).then(
      (operation) => {
        if (operation === null || operation.status !== 'RUNNING') finished.abort();
      },
      () => {},
    );
  };
  const unsubscribe = bus.subscribe(key, (events) => {
    if (events.some((event) => event.status !== 'RUNNING')) finished.abort();
    // No event, only word that the operation changed (another replica's doorbell, or a selection's discovery ended):
    // it may have finished.
    else if (events.length === 0) reread();
  });
  // A bus whose doorbells can be lost: the operation may finish on another replica without a word reaching this one.
  const poll = bus.pollIntervalMs === undefined ? undefined : setInterval(reread, bus.pollIntervalMs);
  poll?.unref();
  try {
    // Subscribed first, then read: a finish in between is not missed.
    const operation = await store.getOperation(key);
    if (operation === null || operation.status !== 'RUNNING') return;
    await sleep(ms, signal ? AbortSignal.any([signal, finished.signal]) : finished.signal);
  } finally {
    clearInterval(poll);
    unsubscribe();
  }
}
