import type { ItemError } from '@unreel/provider-spec';
import type {
  ItemRecord,
  ItemStatus,
  OperationRecord,
  OperationStatus,
  ProgressEvent,
  VideoSelection,
  WhenBlocked,
} from '../model/operation.js';
import type { ChunkPlans } from './chunk-plans.js';

export interface NewOperation {
  id: string;
  tenant: string;
  fingerprint: string;
  createdAt: Date;
  /** Absent or null: each account's default. */
  whenBlocked?: WhenBlocked | null;
  /** Unique video ids, in request order; none for a selection, whose items are discovered (see appendDiscovered). */
  items: readonly NewItem[];
  /** Delete by selection: journaled with discovery DISCOVERING, pass 1, no cursor. Its account is the operation's. */
  selection?: { selection: VideoSelection; maxItems: number } | undefined;
  /** For a journal that hands out leased chunks (WorkLeases): the items' chunks, written with them. */
  chunks?: ChunkPlans | undefined;
  /**
   * For a journal shared by several replicas: the tenant's RUNNING operations at most, counted in the same write;
   * one more throws TooManyOperationsError. Other journals leave the limit to the engine (one process counts them).
   */
  maxRunning?: number | undefined;
}

export interface NewItem {
  videoId: string;
  account: string;
  nativeId: string;
  status: 'PENDING' | 'SCHEDULED';
}

/**
 * One listed page of a selection operation, already matched against the selection by the host, for appendDiscovered;
 * or (`error`) the listing failed for good.
 */
export type DiscoveredPage =
  | {
      /** Matching videos of the operation's account, in listing order; ones already in the operation are dropped. */
      videos: readonly NewItem[];
      /** Where this pass goes on; null: the listing ended with this page, and so does the pass. */
      nextCursor: string | null;
      at: Date;
      /** For a journal that hands out leased chunks: the appended items' chunks, written with them. */
      chunks?: ChunkPlans | undefined;
    }
  | { error: ItemError; at: Date };

/** What appendDiscovered journaled: the operation after it, and one event per item it appended. */
export interface DiscoveryResult {
  operation: OperationRecord;
  events: ProgressEvent[];
}

/** What planning reads of an open item: enough to send it, and to describe it in the event of its outcome. */
export type OpenItemRecord = Omit<ItemRecord, 'error' | 'updatedAt' | 'confirmedAt'>;

/** Items are addressed by their position in the operation's request: the journal's own key for them. */
export interface ItemUpdate {
  position: number;
  status: ItemStatus;
  error?: ItemError | null;
  restorableUntil?: Date | null;
  /** Left as it was when absent. */
  confirmedAt?: Date | null;
  /** Left as it was when absent, for an open status; a final status clears it. */
  nextAttemptAt?: Date | null;
  at: Date;
  /**
   * The statuses the item must be in for this update to apply, checked in the same write (compare-and-set); any when
   * absent. An item found in another status is left alone and makes no event: the batch runner's outcomes name the
   * open statuses, so one that comes after a provider's webhook already closed the item changes nothing.
   */
  from?: readonly ItemStatus[];
  /**
   * The item as the caller knows it is journaled right now (read with listOpenItems, then changed only by its own
   * markAttempt and clearAmbiguous). A store may use it instead of reading the item back, after checking in the same
   * write that the journal indeed still says so; where it does not, the store reads.
   */
  seen?: OpenItemRecord | undefined;
}

export interface ItemPage {
  items: ItemRecord[];
  hasNextPage: boolean;
}

/** Where a page of operations starts: after this one, newest first (createdAt descending, then id descending). */
export interface OperationCursor {
  createdAt: Date;
  id: string;
}

export interface OperationPage {
  operations: OperationRecord[];
  hasNextPage: boolean;
}

/** What a cancellation journaled: the operation after it, and one event per item it cancelled. */
export interface CancelResult {
  operation: OperationRecord;
  events: ProgressEvent[];
}

/**
 * The journal. Every method is atomic on its own: `createOperation` writes the operation and all its items before
 * any provider is called; `recordUpdates` assigns gapless sequence numbers, updates the counts and, when the last
 * open item closes (or a late confirmation changes a closed one), the operation's final status, all in one write,
 * so a crash never leaves an event without its item, a gap, or a finished operation that does not say so.
 * Operations are addressed by `operationKey(tenant, id)`.
 *
 * An item has one event per outcome. Our own call's answer and a provider's webhook about the same item may come in
 * either order, so the store decides in the write, not the caller: an update that names the final status the item
 * already has is not a new outcome and makes no event; it only adds a `confirmedAt` or `restorableUntil` the item
 * lacks (see `ItemUpdate.from` for updates that must not apply at all).
 *
 * A write's promise settles only once the write is durable (committed), and writes apply in the order they were
 * called: callers publish events and call providers after awaiting, never before. Stores may commit several
 * concurrent writes together.
 */
export interface OperationStore {
  /** Throws `OperationExistsError` when the id is taken for this tenant. */
  createOperation(operation: NewOperation): Promise<OperationRecord>;
  getOperation(key: string): Promise<OperationRecord | null>;
  /**
   * Delete by selection, in one write, while discovery is DISCOVERING (otherwise it changes nothing and returns the
   * operation as it is): drops the page's videos already in the operation (and repeats within the page), appends the
   * rest at the next positions up to `maxItems`, each with an event (its status as given, so `total` grows through the
   * stream), and moves discovery on (see `nextDiscovery`): the cursor, the end of a pass (another from the start, or
   * DONE when the pass journaled nothing new), CAPPED at `maxItems`, FAILED with a page's `error`. Once discovery has
   * ended with nothing open, the operation takes its final status in the same write.
   */
  appendDiscovered(key: string, page: DiscoveredPage): Promise<DiscoveryResult>;
  /**
   * Journals that a provider call carrying these items is about to be made: attempts + 1, and `ambiguous` set, so
   * that after a crash mid-call a later NOT_FOUND is read as our own deletion. Only items still open are marked;
   * returns their positions, which are the only ones the call may carry (another may have been cancelled meanwhile).
   */
  markAttempt(key: string, positions: readonly number[]): Promise<number[]>;
  /** Clears `ambiguous` after a call that certainly did nothing (a refusal, a throttle). */
  clearAmbiguous(key: string, positions: readonly number[]): Promise<void>;
  /** Applies the updates in order, one event for each that gives its item a new status, and returns the events. */
  recordUpdates(key: string, updates: readonly ItemUpdate[]): Promise<ProgressEvent[]>;
  /**
   * Undo within `deleteDelay`: the item becomes RESTORED (one event) only if it is still SCHEDULED and no attempt was
   * ever journaled for it, checked in the same write, so a cancelled item never reaches the provider and an item
   * already sent is never reported as cancelled. Null when it was too late.
   */
  cancelScheduled(key: string, position: number, at: Date): Promise<ProgressEvent | null>;
  /**
   * cancelDeletion, in one write: every open item that no provider call may have reached (not `ambiguous`: never
   * marked, or only by calls that certainly did nothing) becomes CANCELLED, one event each. Items with a call in
   * flight, or an earlier ambiguous attempt, stay open for their real outcome. A selection's discovery still going ends
   * CANCELLED. Once nothing is open the operation ends CANCELLED (see finalOperationStatus). An operation no longer RUNNING is returned unchanged, without events; null
   * when there is no such operation.
   */
  cancelOperation(key: string, at: Date): Promise<CancelResult | null>;
  /**
   * For items `markAttempt` marked whose call was then never made (the operation was cancelled while the call waited
   * for the account's limits): takes that attempt back and makes each item still open CANCELLED, one event each. The
   * caller names only items that no earlier call may have reached.
   */
  cancelUnsent(key: string, positions: readonly number[], at: Date): Promise<ProgressEvent[]>;
  /** One tenant's operations, newest first (createdAt, then id, both descending), optionally of one status. */
  listOperations(
    tenant: string,
    options: { first: number; after?: OperationCursor; status?: OperationStatus },
  ): Promise<OperationPage>;
  /** Events with sequence > after, ascending, at most `limit`. */
  listEvents(key: string, after: number, limit: number): Promise<ProgressEvent[]>;
  /** Items by request position; `after` is the position of the last item seen. */
  listItems(key: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage>;
  /** Open items (PENDING or SCHEDULED) of one account, by position, so planning reads bounded pages. */
  listOpenItems(key: string, account: string, options: { after?: number; first: number }): Promise<OpenItemRecord[]>;
  /** The newest journaled item for each video id across one tenant's operations (what `Video.deletion` shows). */
  latestItems(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>>;
  /** Operations that still have open items, or a discovery still going: resumed at start. */
  listUnfinishedOperations(): Promise<OperationRecord[]>;
  /** Whether a provider's webhook delivery with this id was already taken for this account. */
  hasDelivery(account: string, deliveryId: string): Promise<boolean>;
  /** Remembers a delivery id, so a redelivery changes nothing; false when it was known already. */
  recordDelivery(account: string, deliveryId: string, at: Date): Promise<boolean>;
  /** Drops finished operations, and delivery ids, older than the cutoff; returns how many operations. */
  purgeFinishedBefore(cutoff: Date): Promise<number>;
  /**
   * Commits a write that changes nothing, to learn whether the journal can be written now: rejects as any write would
   * (`JournalUnavailableError` for a full disk, a read-only or locked file).
   */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}
