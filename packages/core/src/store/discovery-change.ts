import type {
  DiscoveryState,
  ItemRecord,
  OperationRecord,
  ProgressEvent,
  SelectionRecord,
} from '../model/operation.js';
import type { DiscoveredPage, NewItem, NewOperation } from './operation-store.js';

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

/** The item a discovered video becomes: open, never tried, at its place after the items journaled before it. */
function discoveredItem(operationId: string, video: NewItem, position: number, at: Date): ItemRecord {
  return {
    operationId,
    videoId: video.videoId,
    account: video.account,
    nativeId: video.nativeId,
    status: video.status,
    error: null,
    attempts: 0,
    ambiguous: false,
    restorableUntil: null,
    confirmedAt: null,
    nextAttemptAt: null,
    updatedAt: at,
    position,
  };
}

/**
 * The events appendDiscovered returns for the videos it appended after `operation`'s items, one each, `total` growing
 * one by one, so a stream says how the selection grew; every store journals the same ones.
 */
export function discoveredEvents(
  operation: Pick<OperationRecord, 'id' | 'total' | 'lastSequence'>,
  taken: readonly NewItem[],
  written: { at: Date; completed: number; discovery: DiscoveryState },
): ProgressEvent[] {
  return taken.map((video, index) => ({
    operationId: operation.id,
    sequence: operation.lastSequence + 1 + index,
    item: discoveredItem(operation.id, video, operation.total + index, written.at),
    total: operation.total + index + 1,
    completed: written.completed,
    status: 'RUNNING',
    discovery: written.discovery,
  }));
}
