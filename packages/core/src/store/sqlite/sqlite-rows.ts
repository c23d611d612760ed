import type { ItemError } from '@unreel/provider-spec';
import type {
  DiscoveryState,
  ItemRecord,
  SelectionRecord,
  ItemStatus,
  OperationRecord,
  OperationStatus,
  ProgressEvent,
  WhenBlocked,
} from '../../model/operation.js';
import type { OperationProgress } from '../item-change.js';
import type { LearnedRate } from '../learned-rate-store.js';
import type { OpenItemRecord } from '../operation-store.js';

/**
 * The journal's rows as better-sqlite3 returns them (named by their columns), and the mapping between them and the
 * store's records. Times are epoch milliseconds, errors JSON text, flags 0 or 1; an item keeps only its video id,
 * `<account>:<native id>`, and the two halves are read back from it.
 */

export interface OperationRow {
  op_id: number;
  key: string;
  tenant: string;
  id: string;
  status: OperationStatus;
  fingerprint: string;
  /** JSON array of account names, in first-seen order. */
  accounts: string;
  total: number;
  deleted: number;
  not_found: number;
  failed: number;
  restored: number;
  cancelled: number;
  pending: number;
  last_sequence: number;
  created_at: number;
  finished_at: number | null;
  when_blocked: WhenBlocked | null;
  /** JSON (see SelectionText); NULL for an operation given its ids. */
  selection: string | null;
  discovery: DiscoveryState | null;
  discovery_cursor: string | null;
  discovery_pass: number | null;
  discovery_found: number | null;
  discovery_error: string | null;
}

/** A selection as the `selection` column holds it: times in epoch ms. */
interface SelectionText {
  account: string;
  createdBefore: number | null;
  createdAfter: number | null;
  statuses: SelectionRecord['selection']['statuses'] | null;
  maxItems: number;
}

/** The discovery columns as a write sets them. */
export interface DiscoveryWrite {
  discovery: DiscoveryState;
  cursor: string | null;
  pass: number;
  found: number;
  error: string | null;
}

/** What a write needs of an operation: its counts and sequence, read at the start of the write. */
export type OperationStateRow = Omit<
  OperationRow,
  | 'key'
  | 'tenant'
  | 'fingerprint'
  | 'accounts'
  | 'created_at'
  | 'when_blocked'
  | 'selection'
  | 'discovery_cursor'
  | 'discovery_pass'
  | 'discovery_found'
  | 'discovery_error'
>;

/** An operation as a write moves it along; written back once the write's items and events are. */
export interface OperationState extends OperationProgress {
  opId: number;
  id: string;
  finishedAt: number | null;
}

export interface ItemRow {
  position: number;
  video_id: string;
  status: ItemStatus;
  error: string | null;
  attempts: number;
  ambiguous: number;
  restorable_until: number | null;
  updated_at: number;
  confirmed_at: number | null;
  next_attempt_at: number | null;
}

/** An item read for `latestItems`, with the id of the operation that holds it. */
export interface LatestItemRow extends ItemRow {
  operation_id: string;
}

/**
 * What planning reads of an open item, as an array (better-sqlite3's raw mode), in its SELECT's column order: planning
 * reads every item of an operation, and arrays cost about half what objects do there.
 */
export type OpenItemTuple = [
  position: number,
  videoId: string,
  status: ItemStatus,
  attempts: number,
  ambiguous: number,
  restorableUntil: number | null,
  nextAttemptAt: number | null,
];

/** A row of `events`, as written. */
export interface EventRow {
  op_id: number;
  sequence: number;
  position: number;
  status: ItemStatus;
  error: string | null;
  attempts: number;
  restorable_until: number | null;
  confirmed_at: number | null;
  next_attempt_at: number | null;
  updated_at: number;
  completed: number;
  op_status: OperationStatus;
}

/** An event read back with its item's video id: the item as it was at that event. */
export interface EventWithVideoRow extends Omit<EventRow, 'op_id'> {
  video_id: string;
}

/** The new state of a run of items written with one UPDATE (see `updateItems`). */
export interface ItemWriteParams {
  opId: number;
  status: ItemStatus;
  error: string | null;
  ambiguous: number;
  restorableUntil: number | null;
  confirmedAt: number | null;
  nextAttemptAt: number | null;
  updatedAt: number;
}

/** The same, and what the items must still hold for the UPDATE to touch them (see `updateSeenItems`). */
export interface SeenItemWriteParams extends ItemWriteParams {
  wasStatus: ItemStatus;
  wasAttempts: number;
  wasAmbiguous: number;
  wasRestorableUntil: number | null;
}

/** A row of `account_rates`, also what saving one binds. */
export interface LearnedRateRow {
  account: string;
  requests_per_second: number;
  configured_requests_per_second: number;
  learned_at: number;
}

export function toLearnedRate(row: LearnedRateRow): LearnedRate {
  return {
    account: row.account,
    requestsPerSecond: row.requests_per_second,
    configuredRequestsPerSecond: row.configured_requests_per_second,
    learnedAt: new Date(row.learned_at),
  };
}

export function toLearnedRateRow(rate: LearnedRate): LearnedRateRow {
  return {
    account: rate.account,
    requests_per_second: rate.requestsPerSecond,
    configured_requests_per_second: rate.configuredRequestsPerSecond,
    learned_at: rate.learnedAt.getTime(),
  };
}

export function toOperationRecord(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status,
    fingerprint: row.fingerprint,
    accounts: JSON.parse(row.accounts) as string[],
    lastSequence: row.last_sequence,
    createdAt: new Date(row.created_at),
    finishedAt: toDate(row.finished_at),
    whenBlocked: row.when_blocked,
    selection: toSelectionRecord(row),
    total: row.total,
    deleted: row.deleted,
    notFound: row.not_found,
    failed: row.failed,
    restored: row.restored,
    cancelled: row.cancelled,
    pending: row.pending,
  };
}

export function toOperationState(row: OperationStateRow): OperationState {
  return {
    opId: row.op_id,
    id: row.id,
    status: row.status,
    total: row.total,
    deleted: row.deleted,
    notFound: row.not_found,
    failed: row.failed,
    restored: row.restored,
    cancelled: row.cancelled,
    pending: row.pending,
    lastSequence: row.last_sequence,
    finishedAt: row.finished_at,
    discovery: row.discovery,
  };
}

function toSelectionRecord(row: OperationRow): SelectionRecord | null {
  if (row.selection === null || row.discovery === null) return null;
  const text = JSON.parse(row.selection) as SelectionText;
  return {
    selection: {
      account: text.account,
      ...(text.createdBefore === null ? {} : { createdBefore: new Date(text.createdBefore) }),
      ...(text.createdAfter === null ? {} : { createdAfter: new Date(text.createdAfter) }),
      ...(text.statuses === null ? {} : { statuses: text.statuses }),
    },
    maxItems: text.maxItems,
    discovery: row.discovery,
    cursor: row.discovery_cursor,
    pass: row.discovery_pass ?? 1,
    passFound: row.discovery_found ?? 0,
    error: row.discovery_error === null ? null : parseItemError(row.discovery_error),
  };
}

export function selectionText(selection: Pick<SelectionRecord, 'selection' | 'maxItems'>): string {
  const { account, createdBefore, createdAfter, statuses } = selection.selection;
  const text: SelectionText = {
    account,
    createdBefore: createdBefore?.getTime() ?? null,
    createdAfter: createdAfter?.getTime() ?? null,
    statuses: statuses ?? null,
    maxItems: selection.maxItems,
  };
  return JSON.stringify(text);
}

export function toDiscoveryWrite(selection: SelectionRecord): DiscoveryWrite {
  return {
    discovery: selection.discovery,
    cursor: selection.cursor,
    pass: selection.pass,
    found: selection.passFound,
    error: errorText(selection.error),
  };
}

export function toItemRecord(row: ItemRow, operationId: string): ItemRecord {
  return itemRecord(row, operationId, row.ambiguous === 1);
}

/** Events keep no `ambiguous`: each leaves its item final, which clears it. */
export function toProgressEvent(
  row: EventWithVideoRow,
  operation: Pick<OperationRow, 'id' | 'total' | 'discovery'>,
): ProgressEvent {
  return {
    operationId: operation.id,
    sequence: row.sequence,
    item: itemRecord(row, operation.id, false),
    // The operation's now (see ProgressEvent.discovery): events keep neither.
    total: operation.total,
    completed: row.completed,
    status: row.op_status,
    discovery: operation.discovery,
  };
}

export function toOpenItem(tuple: OpenItemTuple, operationId: string, account: string): OpenItemRecord {
  const [position, videoId, status, attempts, ambiguous, restorableUntil, nextAttemptAt] = tuple;
  return {
    operationId,
    videoId,
    account,
    // Planning asks for one account's items, so the native id starts after that account's prefix.
    nativeId: videoId.slice(account.length + 1),
    status,
    attempts,
    ambiguous: ambiguous === 1,
    restorableUntil: toDate(restorableUntil),
    nextAttemptAt: toDate(nextAttemptAt),
    position,
  };
}

export function toEventRow(opId: number, event: ProgressEvent): EventRow {
  const { item } = event;
  return {
    op_id: opId,
    sequence: event.sequence,
    position: item.position,
    status: item.status,
    error: errorText(item.error),
    attempts: item.attempts,
    restorable_until: toMillis(item.restorableUntil),
    confirmed_at: toMillis(item.confirmedAt),
    next_attempt_at: toMillis(item.nextAttemptAt),
    updated_at: item.updatedAt.getTime(),
    completed: event.completed,
    op_status: event.status,
  };
}

export function toItemWrite(opId: number, item: ItemRecord): ItemWriteParams {
  return {
    opId,
    status: item.status,
    error: errorText(item.error),
    ambiguous: item.ambiguous ? 1 : 0,
    restorableUntil: toMillis(item.restorableUntil),
    confirmedAt: toMillis(item.confirmedAt),
    nextAttemptAt: toMillis(item.nextAttemptAt),
    updatedAt: item.updatedAt.getTime(),
  };
}

export function toSeenItemWrite(opId: number, item: ItemRecord, was: OpenItemRecord): SeenItemWriteParams {
  return {
    ...toItemWrite(opId, item),
    wasStatus: was.status,
    wasAttempts: was.attempts,
    wasAmbiguous: was.ambiguous ? 1 : 0,
    wasRestorableUntil: toMillis(was.restorableUntil),
  };
}

/** JSON, where a `retryAfter` becomes ISO text (see parseItemError). */
export function errorText(error: ItemError | null): string | null {
  return error ? JSON.stringify(error) : null;
}

/** An item error as journaled: its `retryAfter`, ISO text in the JSON, is a Date again. */
function parseItemError(text: string): ItemError {
  const error = JSON.parse(text) as Omit<ItemError, 'retryAfter'> & { retryAfter?: string };
  const { retryAfter, ...rest } = error;
  return retryAfter === undefined ? rest : { ...rest, retryAfter: new Date(retryAfter) };
}

export function toMillis(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

function toDate(millis: number | null): Date | null {
  return millis === null ? null : new Date(millis);
}

type ItemColumns = Omit<ItemRow, 'ambiguous'>;

function itemRecord(row: ItemColumns, operationId: string, ambiguous: boolean): ItemRecord {
  const separator = row.video_id.indexOf(':');
  return {
    operationId,
    videoId: row.video_id,
    account: row.video_id.slice(0, separator),
    nativeId: row.video_id.slice(separator + 1),
    status: row.status,
    error: row.error === null ? null : parseItemError(row.error),
    attempts: row.attempts,
    ambiguous,
    restorableUntil: toDate(row.restorable_until),
    confirmedAt: toDate(row.confirmed_at),
    nextAttemptAt: toDate(row.next_attempt_at),
    updatedAt: new Date(row.updated_at),
    position: row.position,
  };
}
