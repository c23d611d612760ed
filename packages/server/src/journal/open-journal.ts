import path from 'node:path';
import type { Logger } from 'pino';
import { InMemoryOperationStore, SqliteOperationStore, type OperationStore } from '@unreel/core';
import type { JournalConfig } from '../config/config-schema.js';

export function openJournal(config: JournalConfig, baseDir: string): OperationStore {
  if (config.driver === 'memory') return new InMemoryOperationStore();
  return new SqliteOperationStore({ path: path.resolve(baseDir, config.path), synchronous: config.synchronous });
}

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
