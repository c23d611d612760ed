import type { ItemStatus, OperationCounts } from '../model/operation.js';

const counter: Record<ItemStatus, keyof OperationCounts> = {
  PENDING: 'pending',
  SCHEDULED: 'pending',
  DELETED: 'deleted',
  NOT_FOUND: 'notFound',
  FAILED: 'failed',
  RESTORED: 'restored',
};

/** Moves one item from its old status's count to its new one; every store keeps counts the same way. */
export function applyCounts(counts: OperationCounts, from: ItemStatus, to: ItemStatus): void {
  counts[counter[from]] -= 1;
  counts[counter[to]] += 1;
}
