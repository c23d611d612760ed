import type { SelectionRecord } from '../model/operation.js';
import type { DiscoveredPage, NewOperation } from './operation-store.js';

/**
 * What one listed page does to a selection's discovery (see OperationStore.appendDiscovered), the same in every store:
 * `take` of the page's `fresh` videos (those not yet in the operation) are appended, and discovery moves on to `next`.
 *
 * Listings shift while their videos are deleted (an offset page skips what moved up), so one pass is never trusted to
 * have seen everything: a pass that journaled anything is followed by another from the start, and discovery is DONE
 * only after a whole pass found nothing new.
 */
export function nextDiscovery(
  selection: SelectionRecord,
  total: number,
  fresh: number,
  page: DiscoveredPage,
): { take: number; next: SelectionRecord } {
  if (selection.discovery !== 'DISCOVERING') return { take: 0, next: selection };
  if ('error' in page) return { take: 0, next: { ...selection, discovery: 'FAILED', error: page.error } };
  const take = Math.max(0, Math.min(fresh, selection.maxItems - total));
  const passFound = selection.passFound + take;
  if (total + take >= selection.maxItems) {
    return { take, next: { ...selection, discovery: 'CAPPED', cursor: page.nextCursor, passFound } };
  }
  if (page.nextCursor !== null) return { take, next: { ...selection, cursor: page.nextCursor, passFound } };
  if (passFound === 0) return { take, next: { ...selection, discovery: 'DONE', cursor: null, passFound } };
  return { take, next: { ...selection, cursor: null, pass: selection.pass + 1, passFound: 0 } };
}

/** A selection as journaled at creation: discovering, from the start of its first pass. */
export function newSelectionRecord(selection: NonNullable<NewOperation['selection']>): SelectionRecord {
  return { ...selection, discovery: 'DISCOVERING', cursor: null, pass: 1, passFound: 0, error: null };
}
