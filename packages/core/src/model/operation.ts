import type { ItemError, ProviderVideoStatus } from '@unreel/provider-spec';

/** CANCELLED: cancelDeletion stopped it; the items it did not cancel (calls already made) have their real outcome. */
export type OperationStatus = 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_FAILED' | 'FAILED' | 'CANCELLED';

/**
 * PENDING and SCHEDULED are the open states; the rest are final (RESTORED may follow DELETED). CANCELLED: never sent to
 * the provider, because the operation was cancelled first.
 */
export type ItemStatus = 'PENDING' | 'SCHEDULED' | 'DELETED' | 'NOT_FOUND' | 'FAILED' | 'RESTORED' | 'CANCELLED';

/**
 * What becomes of an item its provider refuses for now but may accept later (retryable, not transient: still
 * processing, too recent): FAIL ends it FAILED at once (saying `retryable`, and `retryAfter` when known); WAIT keeps it
 * SCHEDULED and sends it again when the provider allows it, up to the engine's horizon.
 */
export type WhenBlocked = 'FAIL' | 'WAIT';

/**
 * Where a selection operation's discovery stands. DISCOVERING: listing goes on, and the operation cannot finish;
 * DONE: a whole pass over the listing journaled nothing new; CAPPED: `maxItems` items were journaled, and no more
 * listing is done (more may match); CANCELLED: cancelDeletion stopped it; FAILED: the provider refused to list for good
 * (`SelectionRecord.error` says why).
 */
export type DiscoveryState = 'DISCOVERING' | 'DONE' | 'CAPPED' | 'CANCELLED' | 'FAILED';

/**
 * Which videos of one account a selection operation deletes. A date bound needs a creation time: a video its provider
 * lists without `createdAt` does not match a selection with `createdBefore` or `createdAfter`.
 */
export interface VideoSelection {
  account: string;
  /** Exclusive. */
  createdBefore?: Date | undefined;
  /** Inclusive. */
  createdAfter?: Date | undefined;
  /** Any of these; absent: any status. */
  statuses?: readonly ProviderVideoStatus[] | undefined;
}

/** A selection operation's request and how far its discovery has come: journaled, so a restart resumes it. */
export interface SelectionRecord {
  selection: VideoSelection;
  /** At most this many items are journaled; reaching it ends discovery CAPPED. */
  maxItems: number;
  discovery: DiscoveryState;
  /** Where the current pass goes on; null at the start of a pass. */
  cursor: string | null;
  /** The pass over the listing, from 1: each pass lists from the start, until one journals nothing new. */
  pass: number;
  /** Items the current pass journaled so far. */
  passFound: number;
  /** Why discovery ended FAILED. */
  error: ItemError | null;
}

export interface OperationCounts {
  total: number;
  deleted: number;
  notFound: number;
  failed: number;
  restored: number;
  cancelled: number;
  /** PENDING plus SCHEDULED. */
  pending: number;
}

export interface OperationRecord extends OperationCounts {
  id: string;
  /** Owner of the operation; `default` when the server runs without tenants. */
  tenant: string;
  status: OperationStatus;
  /** Hash of the sorted, de-duplicated ids: what makes a repeated operationId "the same". */
  fingerprint: string;
  /** Accounts the operation's items belong to, in first-seen order. */
  accounts: string[];
  /** The last sequence number handed out for this operation. */
  lastSequence: number;
  createdAt: Date;
  finishedAt: Date | null;
  /** What the request asked for blocked items; null: each account's own default (`Account.whenBlocked`). */
  whenBlocked: WhenBlocked | null;
  /** Set for an operation that deletes by selection (its items are discovered), null for one given its ids. */
  selection: SelectionRecord | null;
}

export interface ItemRecord {
  operationId: string;
  /** `<account>:<native id>` */
  videoId: string;
  account: string;
  nativeId: string;
  status: ItemStatus;
  error: ItemError | null;
  attempts: number;
  /** An earlier attempt failed ambiguously (timeout, 5xx, crash): a later NOT_FOUND means DELETED. */
  ambiguous: boolean;
  restorableUntil: Date | null;
  /** When the provider itself confirmed the deletion (a verified webhook), after our call said it was done. */
  confirmedAt: Date | null;
  /**
   * When an item its provider refused for now (whenBlocked: WAIT) is sent again; it stays SCHEDULED until then. Null
   * otherwise (a deleteDelay's due time follows from the operation's createdAt).
   */
  nextAttemptAt: Date | null;
  updatedAt: Date;
  /** Position of this item in the operation's request: how the journal addresses it, and the order items page in. */
  position: number;
}

/** One journaled change of one item: the unit `deletionProgress` streams. */
export interface ProgressEvent {
  operationId: string;
  /** Gapless per operation, starting at 1. */
  sequence: number;
  item: ItemRecord;
  total: number;
  /** Items in a final state after this event. */
  completed: number;
  status: OperationStatus;
  /**
   * A selection operation's discovery (null for ids). A replayed event gives the operation's `total` and `discovery`
   * as they are when it is read, never behind the event: both only move forward.
   */
  discovery: DiscoveryState | null;
}

/** Operations are unique per tenant: this is the key stores index them by. */
export function operationKey(tenant: string, operationId: string): string {
  return `${tenant}\u001f${operationId}`;
}

/**
 * The status an operation ends in, from its final counts. NOT_FOUND is success: the video is gone. An operation with a
 * cancelled item was cancelled, whatever became of the items already sent; one cancelled while every open item was
 * already in flight cancelled nothing, and ends as its items did.
 */
export function finalOperationStatus(
  counts: OperationCounts,
  discovery: DiscoveryState | null = null,
): OperationStatus {
  // A cancel that stopped discovery cancelled the videos it would have found, even when it closed no item.
  if (counts.cancelled > 0 || discovery === 'CANCELLED') return 'CANCELLED';
  if (discovery === 'FAILED')
    return counts.deleted + counts.notFound + counts.restored === 0 ? 'FAILED' : 'PARTIALLY_FAILED';
  if (counts.failed === 0) return 'SUCCEEDED';
  if (counts.deleted + counts.notFound + counts.restored === 0) return 'FAILED';
  return 'PARTIALLY_FAILED';
}

/** PENDING and SCHEDULED: what an outcome of our own call, or a cancellation, applies to (see ItemUpdate.from). */
export const OPEN_ITEM_STATUSES: readonly ItemStatus[] = ['PENDING', 'SCHEDULED'];

/** Whether an operation may still gain items: it cannot finish before discovery ends. */
export function isDiscovering(discovery: DiscoveryState | null): boolean {
  return discovery === 'DISCOVERING';
}

export function isFinalItemStatus(status: ItemStatus): boolean {
  return status !== 'PENDING' && status !== 'SCHEDULED';
}
