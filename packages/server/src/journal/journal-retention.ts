import type { Logger } from 'pino';
import type { OperationStore } from '@unreel/core';

const HOUR = 3_600_000;

/**
 * Finished operations are kept `retentionMs` (so idempotent retries still find them), then purged: at start, then
 * hourly. The cutoff reads `now`, the engine's clock, because the engine stamps `finishedAt` with it: two clocks would
 * purge too early or too late by their difference. Resolves once the start purge is done (or has failed and been
 * logged), so a server that has started has already forgotten what was past retention.
 */
export async function scheduleRetention(
  store: OperationStore,
  retentionMs: number,
  logger: Logger,
  now: () => Date,
): Promise<{ stop(): void }> {
  const purge = (): Promise<void> =>
    store.purgeFinishedBefore(new Date(now().getTime() - retentionMs)).then(
      (purged) => {
        if (purged > 0) logger.info({ purged, retentionMs }, 'purged finished operations past retention');
      },
      (error: unknown) => logger.error({ err: error }, 'journal retention purge failed'),
    );
  await purge();
  const timer = setInterval(() => void purge(), HOUR);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
