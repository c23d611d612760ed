import {
  finalOperationStatus,
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
};

/** What every change of an item moves on its operation; each store holds it in a shape of its own. */
export interface OperationProgress extends OperationCounts {
  status: OperationStatus;
  lastSequence: number;
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
  if (operation.pending > 0) return false;
  const finishing = operation.status === 'RUNNING';
  // A late confirmation may turn a deletion into a failure (or back): a finished operation's status follows.
  operation.status = finalOperationStatus(operation);
  return finishing;
}

/** Undo within deleteDelay (see OperationStore.cancelScheduled): an item ever journaled as sent may have been deleted. */
export function isCancellable(status: ItemStatus, attempts: number): boolean {
  return status === 'SCHEDULED' && attempts === 0;
}

/** The change a restore or a cancellation journals. */
export function restoredUpdate(position: number, at: Date): ItemUpdate {
  return { position, status: 'RESTORED', error: null, restorableUntil: null, at };
}
