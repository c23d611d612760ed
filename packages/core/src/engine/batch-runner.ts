import { UnreelProviderError, isAmbiguousFailure, type DeleteOutcome, type ItemError } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { EventBus } from '../events/event-bus.js';
import type { ItemRecord } from '../model/operation.js';
import type { ItemUpdate, OperationStore } from '../store/operation-store.js';
import type { EngineLogger } from './engine-logger.js';
import { observeItems, type EngineObserver } from './engine-observer.js';
import { toItemError } from './item-error.js';
import { RetrySchedule } from './retry-schedule.js';
import { sleep } from './sleep.js';

export interface BatchContext {
  store: OperationStore;
  bus: EventBus;
  gate: AccountGate;
  key: string;
  shutdown: AbortSignal;
  logger: EngineLogger;
  observer: EngineObserver;
  now: () => Date;
}

interface OpenItem {
  videoId: string;
  nativeId: string;
  /** An earlier attempt may have reached the provider without us knowing the result. */
  ambiguous: boolean;
}

/**
 * Throttling says nothing about the request itself, so it gets a budget of its own, much larger than the error
 * budget: an item must not end FAILED merely because the provider was busy for a while.
 */
const MAX_THROTTLED_ATTEMPTS = 50;

/** Deletes one batch (at most maxBatchSize ids) until every id has a final outcome or the engine shuts down. */
export async function runDeleteBatch(context: BatchContext, items: readonly ItemRecord[]): Promise<void> {
  const { gate, store, key, shutdown } = context;
  const { provider, limits } = gate.account;
  const schedule = new RetrySchedule(limits);
  let remaining: OpenItem[] = items.map((item) => ({ videoId: item.videoId, nativeId: item.nativeId, ambiguous: item.ambiguous }));
  let failedAttempts = 0;
  let throttledAttempts = 0;

  while (remaining.length > 0 && !shutdown.aborted) {
    const batch = remaining;
    await store.markAttempt(key, batch.map((item) => item.videoId));
    let outcomes: DeleteOutcome[];
    try {
      const ids = batch.map((item) => item.nativeId);
      outcomes = await gate.run('delete', (options) => provider.doDeleteVideos(ids, options), failedAttempts + throttledAttempts + 1);
      if (outcomes.length !== ids.length) {
        throw new Error(`${provider.provider} returned ${outcomes.length} outcomes for ${ids.length} ids`);
      }
    } catch (error) {
      // At shutdown the items stay open and ambiguous in the journal; the next start resumes them.
      if (shutdown.aborted) return;
      const failure = toItemError(error, provider.provider);
      if (!UnreelProviderError.isInstance(error)) {
        context.logger.error('provider call failed unexpectedly', { account: gate.account.name, error: String(error) });
      }
      if (isAmbiguousFailure(error)) for (const item of batch) item.ambiguous = true;
      else await clearDefinite(context, batch);
      const throttled = failure.code === 'RATE_LIMITED';
      const budgetLeft = throttled ? throttledAttempts < MAX_THROTTLED_ATTEMPTS : failedAttempts + 1 < limits.maxAttempts;
      if (failure.retryable && budgetLeft) {
        context.observer.retry({ account: gate.account.name, provider: provider.provider, method: 'delete', code: failure.code });
        if (throttled) throttledAttempts += 1;
        else failedAttempts += 1;
        await wait(context, schedule.nextDelay(failure.retryAfterMs), throttled);
        continue;
      }
      await record(context, batch.map((item) => failed(item, failure, context.now())));
      return;
    }

    const at = context.now();
    const updates: ItemUpdate[] = [];
    const retry: OpenItem[] = [];
    let retryAfterMs: number | undefined;
    let retryCode: string | undefined;
    outcomes.forEach((outcome, index) => {
      const item = batch[index] as OpenItem;
      if (outcome.status === 'DELETED') {
        updates.push({ videoId: item.videoId, status: 'DELETED', error: null, restorableUntil: restorableUntil(context, outcome.restorableUntil, at), at });
      } else if (outcome.status === 'NOT_FOUND') {
        // Gone after an attempt of ours whose result we never saw: that attempt is what deleted it.
        updates.push(item.ambiguous ? { videoId: item.videoId, status: 'DELETED', error: null, restorableUntil: restorableUntil(context, undefined, at), at } : { videoId: item.videoId, status: 'NOT_FOUND', error: null, at });
      } else if (outcome.error.retryable && failedAttempts + 1 < limits.maxAttempts) {
        retry.push(item);
        retryCode ??= outcome.error.code;
        retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.error.retryAfterMs ?? 0);
      } else {
        updates.push(failed(item, outcome.error, at));
      }
    });
    if (updates.length > 0) await record(context, updates);
    remaining = retry;
    if (retry.length > 0) {
      context.observer.retry({ account: gate.account.name, provider: provider.provider, method: 'delete', code: retryCode ?? 'ERROR' });
      await clearDefinite(context, retry);
      failedAttempts += 1;
      await wait(context, schedule.nextDelay(retryAfterMs), false);
    }
  }
}

async function record(context: BatchContext, updates: readonly ItemUpdate[]): Promise<void> {
  const events = await context.store.recordUpdates(context.key, updates);
  context.bus.publish(context.key, events);
  observeItems(context.observer, context.gate.account.name, context.gate.account.provider.provider, events);
}

/** The provider answered, so this attempt did nothing we cannot see: only earlier ambiguity remains. */
async function clearDefinite(context: BatchContext, items: readonly OpenItem[]): Promise<void> {
  const definite = items.filter((item) => !item.ambiguous).map((item) => item.videoId);
  if (definite.length > 0) await context.store.clearAmbiguous(context.key, definite);
}

async function wait(context: BatchContext, delayMs: number, throttled: boolean): Promise<void> {
  // A throttle holds the whole account; the queue itself then makes this batch wait its turn.
  if (throttled) context.gate.pauseFor(delayMs);
  else await sleep(delayMs, context.shutdown);
}

function failed(item: OpenItem, error: ItemError, at: Date): ItemUpdate {
  return { videoId: item.videoId, status: 'FAILED', error, at };
}

function restorableUntil(context: BatchContext, fromProvider: Date | null | undefined, at: Date): Date | null {
  if (fromProvider !== undefined) return fromProvider;
  const restore = context.gate.account.provider.capabilities.restore;
  if (restore === false || restore.windowDays === undefined) return null;
  return new Date(at.getTime() + restore.windowDays * 86_400_000);
}
