import type { ItemError } from '@unreel/provider-spec';
import type { ItemRecord, ItemStatus, OperationRecord, OperationStatus, ProgressEvent } from '../model/operation.js';

export interface NewOperation {
  id: string;
  tenant: string;
  fingerprint: string;
  createdAt: Date;
  /** Unique video ids, in request order. */
  items: readonly { videoId: string; account: string; nativeId: string; status: 'PENDING' | 'SCHEDULED' }[];
}

export interface ItemUpdate {
  videoId: string;
  status: ItemStatus;
  error?: ItemError | null;
  /** Attempts to add (the engine counts one per provider call that carried the id). */
  attemptsDelta?: number;
  ambiguous?: boolean;
  restorableUntil?: Date | null;
  at: Date;
}

export interface ItemPage {
  items: ItemRecord[];
  hasNextPage: boolean;
}

/**
 * The journal. Every method is atomic on its own: `createOperation` writes the operation and all
 * its items before any provider is called; `recordUpdates` assigns gapless sequence numbers and
 * updates counts in the same write, so a crash never leaves an event without its item or a gap.
 */
export interface OperationStore {
  /** Throws `OperationExistsError` when the id is taken for this tenant. */
  createOperation(operation: NewOperation): Promise<OperationRecord>;
  getOperation(tenant: string, id: string): Promise<OperationRecord | null>;
  /** Applies the updates in order, one event each, and returns the events. */
  recordUpdates(operationId: string, updates: readonly ItemUpdate[]): Promise<ProgressEvent[]>;
  finishOperation(operationId: string, status: OperationStatus, at: Date): Promise<OperationRecord>;
  /** Events with sequence > after, ascending, at most `limit`. */
  listEvents(operationId: string, after: number, limit: number): Promise<ProgressEvent[]>;
  /** Items by request position; `after` is the position of the last item seen. */
  listItems(operationId: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage>;
  /** Open items (PENDING or SCHEDULED) of one account, by position, for planning in bounded pages. */
  listOpenItems(operationId: string, account: string, options: { after?: number; first: number }): Promise<ItemRecord[]>;
  /** The newest item for each video id across operations (what `Video.deletion` shows). */
  latestItems(videoIds: readonly string[]): Promise<Map<string, ItemRecord>>;
  /** Operations that still have open items: resumed at start. */
  listUnfinishedOperations(): Promise<OperationRecord[]>;
  close(): Promise<void>;
}
