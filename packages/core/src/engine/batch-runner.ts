import {
  UnreelProviderError,
  isTransient,
  restoreSupport,
  type DeleteOutcome,
  type ItemError,
} from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { EventBus } from '../events/event-bus.js';
import { OPEN_ITEM_STATUSES } from '../model/operation.js';
import type { ItemUpdate, OpenItemRecord, OperationStore } from '../store/operation-store.js';
import { journaledError, nextAttemptOf, type BlockedRetry } from './blocked-retry.js';
import type { EngineLogger } from './engine-logger.js';
import { observeItems, type EngineObserver } from './engine-observer.js';
import { isAmbiguous, toItemError } from './item-error.js';
import { RetrySchedule } from './retry-schedule.js';

export interface BatchContext {
  /** The writes a batch makes: the journal's own, or fenced by a chunk's lease (see WorkLeases). */
  store: Pick<OperationStore, 'markAttempt' | 'clearAmbiguous' | 'recordUpdates' | 'cancelUnsent'>;
  bus: EventBus;
  gate: AccountGate;
  key: string;
  shutdown: AbortSignal;
  logger: EngineLogger;
  observer: EngineObserver;
  now: () => Date;
  /** Aborted once cancelDeletion was journaled for this operation (see runDeleteBatch). */
  cancelled: AbortSignal;
  /** Set under whenBlocked: WAIT: items their provider refuses for now wait SCHEDULED instead of failing. */
  blocked: BlockedRetry | undefined;
  /** Told, once journaled, when an item left to wait is due again: the operation runner wakes then. */
  onWaiting: (nextAttemptAt: Date) => void;
}

interface OpenItem {
  /** The item as journaled now: read when planning, then kept in step with this runner's own writes. */
  journaled: OpenItemRecord;
  /** An earlier attempt may have reached the provider without us knowing the result. */
  ambiguous: boolean;
}

/**
 * Throttling says nothing about the request itself, so it gets a budget of its own, much larger than the error
 * budget: an item must not end FAILED merely because the provider was busy for a while.
 */
const MAX_THROTTLED_ATTEMPTS = 50;

/** Deletes one batch (at most maxBatchSize ids) until every id has a final outcome or the engine shuts down. */
export async function runDeleteBatch(context: BatchContext, items: readonly OpenItemRecord[]): Promise<void> {
  const { gate, store, key, shutdown } = context;
  const { provider, limits } = gate.account;
  const schedule = new RetrySchedule(limits);
  let remaining: OpenItem[] = items.map((item) => ({ journaled: item, ambiguous: item.ambiguous }));
  let failedAttempts = 0;
  let throttledAttempts = 0;

  while (remaining.length > 0 && !shutdown.aborted) {
    // Journaled before the call; an item closed meanwhile (a deletion undone within deleteDelay) is left out.
    const marked = new Set(
      await store.markAttempt(
        key,
        remaining.map((item) => item.journaled.position),
      ),
    );
    let batch = remaining.filter((item) => marked.has(item.journaled.position));
    if (batch.length === 0) return;
    for (const item of batch) item.journaled = journaledAs(item.journaled, item.journaled.attempts + 1, true);
    // What the call carries, decided when its turn comes: an operation cancelled while the call waited for the
    // account's limits sends only the items an earlier call may have reached (those must be settled, not cancelled).
    const sent = { items: batch };
    let outcomes: DeleteOutcome[] | undefined;
    try {
      outcomes = await gate.runUnlessSkipped(
        'delete',
        (options) => {
          if (context.cancelled.aborted) sent.items = batch.filter((item) => item.ambiguous);
          if (sent.items.length === 0) return undefined;
          return provider.doDeleteVideos(
            sent.items.map((item) => item.journaled.nativeId),
            options,
          );
        },
        failedAttempts + throttledAttempts + 1,
      );
      if (outcomes !== undefined && outcomes.length !== sent.items.length) {
        throw new Error(`${provider.provider} returned ${outcomes.length} outcomes for ${sent.items.length} ids`);
      }
    } catch (error) {
      // At shutdown the items stay open and ambiguous in the journal; the next start resumes them.
      if (shutdown.aborted) return;
      batch = await cancelUnsent(context, batch, sent.items);
      if (batch.length === 0) return;
      const failure = toItemError(error, provider.provider);
      if (!UnreelProviderError.isInstance(error)) {
        context.logger.error('provider call failed unexpectedly', { account: gate.account.name, error: String(error) });
      }
      if (isAmbiguous(error)) for (const item of batch) item.ambiguous = true;
      else await clearDefinite(context, batch);
      const throttled = failure.code === 'RATE_LIMITED';
      const budgetLeft = throttled
        ? throttledAttempts < MAX_THROTTLED_ATTEMPTS
        : failedAttempts + 1 < limits.maxAttempts;
      if (isTransient(failure) && budgetLeft) {
        context.observer.retry({
          account: gate.account.name,
          provider: provider.provider,
          method: 'delete',
          code: failure.code,
        });
        if (throttled) throttledAttempts += 1;
        else failedAttempts += 1;
        await gate.waitToRetry(schedule.nextDelay(failure.retryAfterMs), throttled, cancelWakes(context, batch));
        continue;
      }
      await settle(
        context,
        batch.map((item) => ({ item, error: failure })),
        [],
        context.now(),
      );
      return;
    }

    batch = await cancelUnsent(context, batch, sent.items);
    if (batch.length === 0 || outcomes === undefined) return;
    const at = context.now();
    const updates: ItemUpdate[] = [];
    const refused: Refused[] = [];
    const retry: OpenItem[] = [];
    let retryAfterMs: number | undefined;
    let retryCode: string | undefined;
    outcomes.forEach((outcome, index) => {
      const item = batch[index] as OpenItem;
      if (outcome.status === 'DELETED') {
        updates.push(deleted(item, restorableUntil(context, outcome.restorableUntil, at), at));
      } else if (outcome.status === 'NOT_FOUND') {
        // Gone after an attempt of ours whose result we never saw: that attempt is what deleted it.
        updates.push(item.ambiguous ? deleted(item, restorableUntil(context, undefined, at), at) : notFound(item, at));
      } else if (isTransient(outcome.error) && failedAttempts + 1 < limits.maxAttempts) {
        retry.push(item);
        retryCode ??= outcome.error.code;
        retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.error.retryAfterMs ?? 0);
      } else {
        refused.push({ item, error: outcome.error });
      }
    });
    await settle(context, refused, updates, at);
    remaining = retry;
    if (retry.length > 0) {
      context.observer.retry({
        account: gate.account.name,
        provider: provider.provider,
        method: 'delete',
        code: retryCode ?? 'ERROR',
      });
      await clearDefinite(context, retry);
      failedAttempts += 1;
      await gate.waitToRetry(schedule.nextDelay(retryAfterMs), false, cancelWakes(context, retry));
    }
  }
}

interface Refused {
  item: OpenItem;
  error: ItemError;
}

/**
 * Journals, with `updates`, the items the provider refused for good in this batch: FAILED, or, under whenBlocked: WAIT
 * for a refusal that may pass (retryable, not transient), SCHEDULED with the time of their next attempt (see
 * nextAttemptOf), which the operation runner is told once it is journaled.
 */
async function settle(
  context: BatchContext,
  refused: readonly Refused[],
  updates: ItemUpdate[],
  at: Date,
): Promise<void> {
  const waiting: { item: OpenItem; error: ItemError; next: Date }[] = [];
  for (const { item, error: given } of refused) {
    const error = journaledError(given, at);
    const next = nextAttemptOf(context.blocked, error, item.journaled.attempts, at);
    if (next) waiting.push({ item, error, next });
    else updates.push(failed(item, error, at));
  }
  if (waiting.length > 0) {
    // The provider answered about them: a cancel may take them while they wait, unless an earlier attempt of ours
    // may have reached it.
    await clearDefinite(
      context,
      waiting.map(({ item }) => item),
    );
    for (const { item, error, next } of waiting) updates.push(scheduled(item, error, next, at));
  }
  if (updates.length > 0) await record(context, updates);
  for (const { next } of waiting) context.onWaiting(next);
}

/** The items of `batch` left out of the call (`sent`) are journaled CANCELLED; returns those it carried. */
async function cancelUnsent(context: BatchContext, batch: OpenItem[], sent: readonly OpenItem[]): Promise<OpenItem[]> {
  if (sent.length === batch.length) return batch;
  const carried = new Set(sent);
  const unsent = batch.filter((item) => !carried.has(item));
  const events = await context.store.cancelUnsent(
    context.key,
    unsent.map((item) => item.journaled.position),
    context.now(),
  );
  context.bus.publish(context.key, events);
  observeItems(context.observer, context.gate.account.name, context.gate.account.provider.provider, events);
  return [...sent];
}

/**
 * A wait before retrying items no call has reached ends when the operation is cancelled: cancelDeletion has closed them
 * all, and the next markAttempt finds none open. Items an earlier call may have reached keep their backoff.
 */
function cancelWakes(context: BatchContext, items: readonly OpenItem[]): AbortSignal | undefined {
  return items.some((item) => item.ambiguous) ? undefined : context.cancelled;
}

async function record(context: BatchContext, updates: readonly ItemUpdate[]): Promise<void> {
  const events = await context.store.recordUpdates(context.key, updates);
  context.bus.publish(context.key, events);
  observeItems(context.observer, context.gate.account.name, context.gate.account.provider.provider, events);
}

/** The provider answered, so this attempt did nothing we cannot see: only earlier ambiguity remains. */
async function clearDefinite(context: BatchContext, items: readonly OpenItem[]): Promise<void> {
  // Items whose journal already says so need no write.
  const definite = items.filter((item) => !item.ambiguous && item.journaled.ambiguous);
  if (definite.length === 0) return;
  await context.store.clearAmbiguous(
    context.key,
    definite.map((item) => item.journaled.position),
  );
  for (const item of definite) item.journaled = journaledAs(item.journaled, item.journaled.attempts, false);
}

// Updates carry what we know the journal says of the item (`seen`), so the store need not read it back, and apply
// only while it is open: a provider's webhook may have closed it while our call was in flight, and its event stands.
function deleted(item: OpenItem, restorable: Date | null, at: Date): ItemUpdate {
  return {
    position: item.journaled.position,
    seen: item.journaled,
    from: OPEN_ITEM_STATUSES,
    status: 'DELETED',
    error: null,
    restorableUntil: restorable,
    at,
  };
}

function notFound(item: OpenItem, at: Date): ItemUpdate {
  return {
    position: item.journaled.position,
    seen: item.journaled,
    from: OPEN_ITEM_STATUSES,
    status: 'NOT_FOUND',
    error: null,
    at,
  };
}

/** Left to wait for its provider (whenBlocked: WAIT), still open, with the refusal that made it wait. */
function scheduled(item: OpenItem, error: ItemError, nextAttemptAt: Date, at: Date): ItemUpdate {
  return {
    position: item.journaled.position,
    seen: item.journaled,
    from: OPEN_ITEM_STATUSES,
    status: 'SCHEDULED',
    error,
    nextAttemptAt,
    at,
  };
}

function failed(item: OpenItem, error: ItemError, at: Date): ItemUpdate {
  return {
    position: item.journaled.position,
    seen: item.journaled,
    from: OPEN_ITEM_STATUSES,
    status: 'FAILED',
    error,
    at,
  };
}

/** A new record rather than a change to the old one: updates already handed to the store keep what they saw. */
function journaledAs(item: OpenItemRecord, attempts: number, ambiguous: boolean): OpenItemRecord {
  return {
    operationId: item.operationId,
    videoId: item.videoId,
    account: item.account,
    nativeId: item.nativeId,
    status: item.status,
    attempts,
    ambiguous,
    restorableUntil: item.restorableUntil,
    nextAttemptAt: item.nextAttemptAt,
    position: item.position,
  };
}

function restorableUntil(context: BatchContext, fromProvider: Date | null | undefined, at: Date): Date | null {
  if (fromProvider !== undefined) return fromProvider;
  const restore = restoreSupport(context.gate.account.provider);
  if (restore === false || restore.windowDays === undefined) return null;
  return new Date(at.getTime() + restore.windowDays * 86_400_000);
}
