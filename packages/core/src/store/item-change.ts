import {
  OPEN_ITEM_STATUSES,
  finalOperationStatus,
  isDiscovering,
  isFinalItemStatus,
  type DiscoveryState,
  type ItemRecord,
  type ItemStatus,
  type OperationCounts,
  type OperationStatus,
} from '../model/operation.js';
import type { ItemUpdate } from './operation-store.js';

const counter: Record<ItemStatus, keyof OperationCounts> = {
  PENDING: 'pending',
  SCHEDULED: 'pending',
  DELETED: 'deleted',
  NOT_FOUND: 'notFound',
  FAILED: 'failed',
  RESTORED: 'restored',
  CANCELLED: 'cancelled',
};

/** What every change of an item moves on its operation; each store holds it in a shape of its own. */
export interface OperationProgress extends OperationCounts {
  status: OperationStatus;
  lastSequence: number;
  /** A selection operation's discovery (null for ids): while DISCOVERING, no item change finishes the operation. */
  discovery: DiscoveryState | null;
}

/**
 * One item goes from `from` to `to`: its count moves, the operation hands out the next sequence (the event's) and,
 * once nothing is open, takes its final status. Every store keeps operations this way, so both stores call this.
 * Returns whether this change finished the operation: the store then stamps finishedAt in its own representation.
 */
export function applyItemChange(operation: OperationProgress, from: ItemStatus, to: ItemStatus): boolean {
  operation[counter[from]] -= 1;
  operation[counter[to]] += 1;
  operation.lastSequence += 1;
  return settleOperation(operation);
}

/**
 * Gives the operation its final status once nothing is open and discovery (if any) has ended; returns whether this
 * finished it. Also what ends a selection operation whose discovery ends with nothing open.
 */
export function settleOperation(operation: OperationProgress): boolean {
  if (operation.pending > 0 || isDiscovering(operation.discovery)) return false;
  const finishing = operation.status === 'RUNNING';
  // A late confirmation may turn a deletion into a failure (or back): a finished operation's status follows.
  operation.status = finalOperationStatus(operation, operation.discovery);
  return finishing;
}

/** An item's next attempt after an update changed its status: a final status has none; an open one keeps its own. */
export function nextAttemptAfter(item: Pick<ItemRecord, 'nextAttemptAt'>, update: ItemUpdate): Date | null {
  if (isFinalItemStatus(update.status)) return null;
  return update.nextAttemptAt !== undefined ? update.nextAttemptAt : item.nextAttemptAt;
}

/** Undo within deleteDelay (see OperationStore.cancelScheduled): an item ever journaled as sent may have been deleted. */
export function isCancellable(status: ItemStatus, attempts: number): boolean {
  return status === 'SCHEDULED' && attempts === 0;
}

/** The change a restore or a cancellation journals. */
export function restoredUpdate(position: number, at: Date): ItemUpdate {
  return { position, status: 'RESTORED', error: null, restorableUntil: null, at };
}

/** An item of a cancelled operation that no provider call carried: only while it is still open. */
export function cancelledUpdate(position: number, at: Date): ItemUpdate {
  return { position, status: 'CANCELLED', error: null, at, from: OPEN_ITEM_STATUSES };
}

/**
 * What an update makes of an item as the journal holds it in the write (see OperationStore on outcomes):
 * - `change`: a new status: the item takes the update, counts move, and the operation's next event says so;
 * - `fill`: the final status the item already has (our call's answer after the provider's webhook said it, or the other
 *   way round): no event; the item only takes the `confirmedAt` and `restorableUntil` it lacks, given here;
 * - `none`: nothing to write: the item is not in a status the update names, or already holds all the update says.
 */
export type ItemUpdateEffect =
  | { kind: 'change' }
  | { kind: 'fill'; confirmedAt: Date | null; restorableUntil: Date | null }
  | { kind: 'none' };

export function itemUpdateEffect(
  item: Pick<ItemRecord, 'status' | 'restorableUntil'> & { confirmedAt?: Date | null },
  update: ItemUpdate,
): ItemUpdateEffect {
  if (isFinalItemStatus(item.status) && item.status === update.status) {
    const known = { confirmedAt: item.confirmedAt ?? null, restorableUntil: item.restorableUntil };
    const confirmedAt = known.confirmedAt ?? update.confirmedAt ?? null;
    const restorableUntil = known.restorableUntil ?? update.restorableUntil ?? null;
    if (confirmedAt === known.confirmedAt && restorableUntil === known.restorableUntil) return { kind: 'none' };
    return { kind: 'fill', confirmedAt, restorableUntil };
  }
  if (update.from && !update.from.includes(item.status)) return { kind: 'none' };
  return { kind: 'change' };
}
