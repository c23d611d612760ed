import type { ItemError, WebhookEventV1 } from '@unreel/provider-spec';
import type { Account } from '../accounts/account.js';
import type { EventBus } from '../events/event-bus.js';
import { formatVideoId } from '../ids/video-id.js';
import { operationKey, type ItemRecord, type ItemStatus } from '../model/operation.js';
import type { ItemUpdate, OperationStore } from '../store/operation-store.js';
import { observeItems, type EngineObserver } from './engine-observer.js';

/** A verified webhook delivery that says what became of one deletion. */
export type DeletionConfirmation = Extract<WebhookEventV1, { type: 'video.deletion-confirmed' }>;

/**
 * - `recorded`: the video's latest deletion changed: confirmed (with a progress event only when this closed the item
 *   or turned a failure into a deletion; see confirmDeletion), or failed after all (an event);
 * - `unchanged`: already confirmed, or about a deletion that no longer stands (restored, not found) or never was made
 *   (cancelled);
 * - `unknown-video`: nothing here ever tried to delete it;
 * - `duplicate`: this delivery was taken before.
 */
export type ConfirmationResult = 'recorded' | 'unchanged' | 'unknown-video' | 'duplicate';

export interface ConfirmationContext {
  store: OperationStore;
  bus: EventBus;
  observer: EngineObserver;
  now: () => Date;
}

/**
 * A deletion we recorded, one still under way or held, or one we gave up on (a timeout): the provider says it is gone,
 * and it knows. A restored or never-found video is not what a confirmation is about, nor one whose deletion was cancelled
 * before we sent it (whoever deleted it since, it was not this operation).
 */
const CONFIRMABLE: readonly ItemStatus[] = ['PENDING', 'SCHEDULED', 'DELETED', 'FAILED'];

/**
 * Applies a provider's own word on a deletion to the video's latest item. The delivery id is remembered only after
 * the item is updated: a crash in between makes the redelivery run again, and the item's state (already confirmed)
 * makes that second run change nothing, so no delivery is lost and none counts twice.
 *
 * Our own call's answer for the same item may come before or after, and the store keeps one event per outcome
 * whichever comes first: a confirmation that closes an item in flight is its final event (the answer then changes
 * nothing but a missing restorableUntil), and a confirmation of a deletion already recorded only sets confirmedAt, with
 * no event, so that a replay shows what a live subscriber saw. A failure reported after our DELETED is a new outcome,
 * and an event.
 */
export async function confirmDeletion(
  context: ConfirmationContext,
  tenant: string,
  account: Pick<Account, 'name' | 'provider'>,
  confirmation: DeletionConfirmation,
): Promise<ConfirmationResult> {
  if (await context.store.hasDelivery(account.name, confirmation.eventId)) return 'duplicate';
  const result = await applyConfirmation(context, tenant, account, confirmation);
  // Deliveries of the same id racing here (on several replicas: each serializes only its own) all apply the same
  // update, which leaves the item as one would and adds no second event; the one that records the id first is the
  // confirmation, the others are its duplicates.
  const first = await context.store.recordDelivery(account.name, confirmation.eventId, context.now());
  return first ? result : 'duplicate';
}

async function applyConfirmation(
  { store, bus, observer, now }: ConfirmationContext,
  tenant: string,
  account: Pick<Account, 'name' | 'provider'>,
  confirmation: DeletionConfirmation,
): Promise<Exclude<ConfirmationResult, 'duplicate'>> {
  const videoId = formatVideoId(account.name, confirmation.videoId);
  const latest = (await store.latestItems(tenant, [videoId])).get(videoId);
  if (!latest) return 'unknown-video';
  const update = confirmationUpdate(latest, confirmation, now());
  if (!update) return 'unchanged';
  const key = operationKey(tenant, latest.operationId);
  const events = await store.recordUpdates(key, [update]);
  if (events.length > 0) {
    bus.publish(key, events);
    observeItems(observer, account.name, account.provider.provider, events);
  }
  return 'recorded';
}

function confirmationUpdate(item: ItemRecord, confirmation: DeletionConfirmation, at: Date): ItemUpdate | undefined {
  const { position } = item;
  if (confirmation.success) {
    if (item.confirmedAt !== null) return undefined;
    if (!CONFIRMABLE.includes(item.status)) return undefined;
    // Checked again in the write: the item may have been restored, or closed by our own answer, since it was read.
    return { position, status: 'DELETED', error: null, confirmedAt: confirmation.confirmedAt, at, from: CONFIRMABLE };
  }
  if (item.status !== 'DELETED') return undefined;
  const error: ItemError = confirmation.error ?? {
    code: 'DELETE_FAILED',
    message: 'The provider reported afterwards that this deletion failed',
    retryable: false,
  };
  return { position, status: 'FAILED', error, confirmedAt: null, restorableUntil: null, at, from: ['DELETED'] };
}
