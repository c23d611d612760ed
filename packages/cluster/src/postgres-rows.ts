import type {
  DiscoveryState,
  ItemRecord,
  ItemStatus,
  LearnedRate,
  OpenItemRecord,
  OperationProgress,
  OperationRecord,
  OperationStatus,
  ProgressEvent,
  SelectionRecord,
  WhenBlocked,
} from '@unreel/core';
import type { ItemError } from '@unreel/provider-spec';

/**
 * The journal's rows as pg returns them (named by their columns; timestamptz as Date, bigint op_id as text), and the
 * mapping between them and the store's records. An item's native id is its video id after `<account>:`.
 */

export interface OperationRow {
  op_id: string;
  tenant: string;
  id: string;
  status: OperationStatus;
  fingerprint: string;
  accounts: string[];
  when_blocked: WhenBlocked | null;
  total: number;
  deleted: number;
  not_found: number;
  failed: number;
  restored: number;
  cancelled: number;
  pending: number;
  last_sequence: number;
  created_at: Date;
  finished_at: Date | null;
  /** NULL for an operation given its ids. */
  selection: SelectionJson | null;
  discovery: DiscoveryState | null;
  discovery_cursor: string | null;
  discovery_pass: number | null;
  discovery_found: number | null;
  discovery_error: string | null;
}

/** A selection as the `selection` column holds it: times in epoch ms. */
export interface SelectionJson {
  account: string;
  createdBefore: number | null;
  createdAfter: number | null;
  statuses: SelectionRecord['selection']['statuses'] | null;
  maxItems: number;
}

/** An operation as a write moves it along; written back once the write's items and events are. */
export interface OperationState extends OperationProgress {
  opId: string;
  id: string;
  finishedAt: Date | null;
}

export interface ItemRow {
  position: number;
  video_id: string;
  account: string;
  status: ItemStatus;
  error: string | null;
  attempts: number;
  ambiguous: boolean;
  restorable_until: Date | null;
  confirmed_at: Date | null;
  next_attempt_at: Date | null;
  updated_at: Date;
}

export const ITEM_COLUMNS =
  'position, video_id, account, status, error, attempts, ambiguous, restorable_until, confirmed_at, next_attempt_at, updated_at';

/** An event read back with its item's video id and account: the item as it was at that event. */
export interface EventRow extends Omit<ItemRow, 'ambiguous'> {
  sequence: number;
  completed: number;
  op_status: OperationStatus;
}

export interface LearnedRateRow {
  account: string;
  requests_per_second: number;
  configured_requests_per_second: number;
  learned_at: Date;
}

export function toOperationRecord(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status,
    fingerprint: row.fingerprint,
    accounts: row.accounts,
    lastSequence: row.last_sequence,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
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

export function toOperationState(row: OperationRow): OperationState {
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
  const json = row.selection;
  return {
    selection: {
      account: json.account,
      ...(json.createdBefore === null ? {} : { createdBefore: new Date(json.createdBefore) }),
      ...(json.createdAfter === null ? {} : { createdAfter: new Date(json.createdAfter) }),
      ...(json.statuses === null ? {} : { statuses: json.statuses }),
    },
    maxItems: json.maxItems,
    discovery: row.discovery,
    cursor: row.discovery_cursor,
    pass: row.discovery_pass ?? 1,
    passFound: row.discovery_found ?? 0,
    error: row.discovery_error === null ? null : parseItemError(row.discovery_error),
  };
}

export function selectionJson(selection: Pick<SelectionRecord, 'selection' | 'maxItems'>): SelectionJson {
  const { account, createdBefore, createdAfter, statuses } = selection.selection;
  return {
    account,
    createdBefore: createdBefore?.getTime() ?? null,
    createdAfter: createdAfter?.getTime() ?? null,
    statuses: statuses ?? null,
    maxItems: selection.maxItems,
  };
}

export function toItemRecord(row: ItemRow, operationId: string): ItemRecord {
  return itemRecord(row, operationId, row.ambiguous);
}

export function toOpenItem(row: ItemRow, operationId: string): OpenItemRecord {
  return {
    operationId,
    videoId: row.video_id,
    account: row.account,
    nativeId: row.video_id.slice(row.account.length + 1),
    status: row.status,
    attempts: row.attempts,
    ambiguous: row.ambiguous,
    restorableUntil: row.restorable_until,
    nextAttemptAt: row.next_attempt_at,
    position: row.position,
  };
}

/** Events keep no `ambiguous`: each leaves its item final, which clears it. */
export function toProgressEvent(
  row: EventRow,
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

export function toLearnedRate(row: LearnedRateRow): LearnedRate {
  return {
    account: row.account,
    requestsPerSecond: row.requests_per_second,
    configuredRequestsPerSecond: row.configured_requests_per_second,
    learnedAt: row.learned_at,
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

function itemRecord(row: Omit<ItemRow, 'ambiguous'>, operationId: string, ambiguous: boolean): ItemRecord {
  return {
    operationId,
    videoId: row.video_id,
    account: row.account,
    nativeId: row.video_id.slice(row.account.length + 1),
    status: row.status,
    error: row.error === null ? null : parseItemError(row.error),
    attempts: row.attempts,
    ambiguous,
    restorableUntil: row.restorable_until,
    confirmedAt: row.confirmed_at,
    nextAttemptAt: row.next_attempt_at,
    updatedAt: row.updated_at,
    position: row.position,
  };
}
