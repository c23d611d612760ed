import { UnreelProviderError, restoreSupport } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { EventBus } from '../events/event-bus.js';
import { isFinalItemStatus, operationKey, type ItemRecord, type ProgressEvent } from '../model/operation.js';
import { restoredUpdate } from '../store/item-change.js';
import type { OperationStore } from '../store/operation-store.js';
import { callWithRetry } from './call-with-retry.js';
import { observeItems, type EngineObserver } from './engine-observer.js';
import type { RestoreResult } from './engine-types.js';

export interface RestoreContext {
  store: OperationStore;
  bus: EventBus;
  observer: EngineObserver;
  now: () => Date;
  shutdown: AbortSignal;
}

/**
 * Brings one video of `gate`'s account back, as `tenant` sees it (its own latest deletion of the video, if any): a
 * deletion still held by deleteDelay is cancelled without a provider call; otherwise the provider restores it and the
 * deletion is journaled RESTORED. What cannot be restored is an answer with an error code, not a thrown error.
 */
export async function restoreVideo(
  context: RestoreContext,
  gate: AccountGate,
  tenant: string,
  videoId: string,
  nativeId: string,
): Promise<RestoreResult> {
  const { provider } = gate.account;
  const latest = (await context.store.latestItems(tenant, [videoId])).get(videoId) ?? null;
  const now = context.now();

  if (latest?.status === 'SCHEDULED') {
    const cancelled = await cancelHeld(context, gate, tenant, latest, now);
    if (cancelled) return { videoId, restored: true, error: null, item: cancelled, video: null };
  }
  const restore = provider.doRestoreVideo?.bind(provider);
  if (restoreSupport(provider) === false || !restore) {
    return refusal(
      videoId,
      latest,
      'NOT_RESTORABLE',
      `${provider.provider} deletes permanently; there is nothing to restore`,
    );
  }
  if (latest && !isFinalItemStatus(latest.status)) {
    // A restore racing our own delete call could be overtaken by it: the journal would then say DELETED for a video
    // the provider holds again.
    return refusal(
      videoId,
      latest,
      'DELETION_IN_PROGRESS',
      `${videoId} is being deleted; restore it once its deletion has finished`,
    );
  }
  if (latest?.status === 'DELETED' && latest.restorableUntil && latest.restorableUntil.getTime() < now.getTime()) {
    return refusal(
      videoId,
      latest,
      'RESTORE_WINDOW_EXPIRED',
      `The restore window of ${videoId} ended at ${latest.restorableUntil.toISOString()}`,
    );
  }
  try {
    const outcome = await callWithRetry(gate, 'restore', (options) => restore(nativeId, options), context);
    if (outcome.status === 'NOT_FOUND') {
      return refusal(videoId, latest, 'NOT_FOUND', `${provider.provider} has no deleted video ${nativeId} to restore`);
    }
    if (outcome.status === 'FAILED') return refusal(videoId, latest, outcome.error.code, outcome.error.message);
    const item = latest?.status === 'DELETED' ? await journalRestored(context, gate, tenant, latest) : latest;
    return { videoId, restored: true, error: null, item, video: outcome.video ?? null };
  } catch (error) {
    if (!UnreelProviderError.isInstance(error)) throw error;
    return refusal(videoId, latest, error.code, error.message);
  }
}

/** A deletion still within deleteDelay; null once it is due, or when the store finds the item was sent meanwhile. */
async function cancelHeld(
  context: RestoreContext,
  gate: AccountGate,
  tenant: string,
  item: ItemRecord,
  now: Date,
): Promise<ItemRecord | null> {
  const key = operationKey(tenant, item.operationId);
  const operation = await context.store.getOperation(key);
  if (!operation || operation.createdAt.getTime() + gate.account.deleteDelayMs <= now.getTime()) return null;
  const event = await context.store.cancelScheduled(key, item.position, now);
  if (!event) return null;
  announce(context, gate, key, event);
  return event.item;
}

async function journalRestored(
  context: RestoreContext,
  gate: AccountGate,
  tenant: string,
  item: ItemRecord,
): Promise<ItemRecord> {
  const key = operationKey(tenant, item.operationId);
  const [event] = await context.store.recordUpdates(key, [restoredUpdate(item.position, context.now())]);
  if (!event) return item;
  announce(context, gate, key, event);
  return event.item;
}

function announce(context: RestoreContext, gate: AccountGate, key: string, event: ProgressEvent): void {
  context.bus.publish(key, [event]);
  observeItems(context.observer, gate.account.name, gate.account.provider.provider, [event]);
}

function refusal(videoId: string, item: ItemRecord | null, code: string, message: string): RestoreResult {
  return { videoId, restored: false, error: { code, message }, item, video: null };
}
