import type { ItemError, WebhookEventV1 } from '@unreel/provider-spec';
import type { EventBus } from '../events/event-bus.js';
import { formatVideoId } from '../ids/video-id.js';
import { operationKey, type ItemRecord } from '../model/operation.js';
import type { ItemUpdate, OperationStore } from '../store/operation-store.js';

/** A verified webhook delivery that says what became of one deletion. */
export type DeletionConfirmation = Extract<WebhookEventV1, { type: 'video.deletion-confirmed' }>;

/**
 * - `recorded`: the video's latest deletion changed (confirmed, or failed after all) and a progress event went out;
 * - `unchanged`: already confirmed, or about a deletion that no longer stands (restored, not found);
 * - `unknown-video`: nothing here ever tried to delete it;
 * - `duplicate`: this delivery was taken before.
 */
export type ConfirmationResult = 'recorded' | 'unchanged' | 'unknown-video' | 'duplicate';

export interface ConfirmationContext {
  store: OperationStore;
  bus: EventBus;
  now: () => Date;
}

/**
 * Applies a provider's own word on a deletion to the video's latest item. The delivery id is remembered only after
 * the item is updated: a crash in between makes the redelivery run again, and the item's state (already confirmed)
 * makes that second run change nothing, so no delivery is lost and none counts twice.
 */
export async function confirmDeletion(
  context: ConfirmationContext,
  tenant: string,
  account: string,
  confirmation: DeletionConfirmation,
): Promise<ConfirmationResult> {
  if (await context.store.hasDelivery(account, confirmation.eventId)) return 'duplicate';
  const result = await applyConfirmation(context, tenant, account, confirmation);
  // Another delivery of the same id may have raced this one here; it found the item confirmed and changed nothing.
  await context.store.recordDelivery(account, confirmation.eventId, context.now());
  return result;
}

async function applyConfirmation(
  { store, bus, now }: ConfirmationContext,
  tenant: string,
  account: string,
  confirmation: DeletionConfirmation,
): Promise<Exclude<ConfirmationResult, 'duplicate'>> {
  const videoId = formatVideoId(account, confirmation.videoId);
  const latest = (await store.latestItems(tenant, [videoId])).get(videoId);
  if (!latest) return 'unknown-video';
  const update = confirmationUpdate(latest, confirmation, now());
  if (!update) return 'unchanged';
  const key = operationKey(tenant, latest.operationId);
  bus.publish(key, await store.recordUpdates(key, [update]));
  return 'recorded';
}

function confirmationUpdate(item: ItemRecord, confirmation: DeletionConfirmation, at: Date): ItemUpdate | undefined {
  const { position } = item;
  if (confirmation.success) {
    if (item.confirmedAt !== null) return undefined;
    // A deletion we recorded, one still under way or held, or one we gave up on (a timeout): the provider says it is
    // gone, and it knows. A restored or never-found video is not what this delivery is about.
    if (item.status === 'RESTORED' || item.status === 'NOT_FOUND') return undefined;
    return { position, status: 'DELETED', error: null, confirmedAt: confirmation.confirmedAt, at };
  }
  if (item.status !== 'DELETED') return undefined;
  const error: ItemError = confirmation.error ?? {
    code: 'DELETE_FAILED',
    message: 'The provider reported afterwards that this deletion failed',
    retryable: false,
  };
  return { position, status: 'FAILED', error, confirmedAt: null, restorableUntil: null, at };
}
