import type { ItemError } from '@unreel/provider-spec';

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
export function finalOperationStatus(counts: OperationCounts): OperationStatus {
  if (counts.cancelled > 0) return 'CANCELLED';
  if (counts.failed === 0) return 'SUCCEEDED';
  if (counts.deleted + counts.notFound + counts.restored === 0) return 'FAILED';
  return 'PARTIALLY_FAILED';
}

/** PENDING and SCHEDULED: what an outcome of our own call, or a cancellation, applies to (see ItemUpdate.from). */
export const OPEN_ITEM_STATUSES: readonly ItemStatus[] = ['PENDING', 'SCHEDULED'];

export function isFinalItemStatus(status: ItemStatus): boolean {
  return status !== 'PENDING' && status !== 'SCHEDULED';
}
