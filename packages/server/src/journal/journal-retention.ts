import type { Logger } from 'pino';
import type { OperationStore } from '@unreel/core';

const HOUR = 3_600_000;

/** Finished operations are kept `retentionMs` (so idempotent retries still find them), then purged: at start, then hourly. */
export function scheduleRetention(store: OperationStore, retentionMs: number, logger: Logger): { stop(): void } {
  const purge = (): void => {
    const cutoff = new Date(Date.now() - retentionMs);
    store.purgeFinishedBefore(cutoff).then(
      (purged) => purged > 0 && logger.info({ purged, retentionMs }, 'purged finished operations past retention'),
      (error: unknown) => logger.error({ err: error }, 'journal retention purge failed'),
    );
  };
  purge();
  const timer = setInterval(purge, HOUR);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
