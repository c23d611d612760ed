import type { Database, RunResult } from 'better-sqlite3';
import type { ItemStatus, OperationStatus } from '../../model/operation.js';
import { SqliteMultiRowInsert } from './sqlite-multi-row-insert.js';
import { SqlitePositionsStatement } from './sqlite-positions.js';
import type {
  DiscoveryWrite,
  EventRow,
  EventWithVideoRow,
  ItemRow,
  ItemWriteParams,
  LatestItemRow,
  LearnedRateRow,
  OpenItemTuple,
  OperationRow,
  OperationStateRow,
  SeenItemWriteParams,
} from './sqlite-rows.js';

const ITEM_COLUMNS =
  'position, video_id, status, error, attempts, ambiguous, restorable_until, updated_at, confirmed_at, next_attempt_at';

interface OpId {
  opId: number;
}

interface ItemPageParams extends OpId {
  /** The position of the last item seen; -1 for the first page. */
  after: number;
  limit: number;
}

interface OperationPageAfterParams {
  tenant: string;
  /** The cursor's operation: the page starts after it. */
  createdAt: number;
  id: string;
  limit: number;
}

interface OpenItemPageParams extends OpId {
  after: number;
  first: number;
}

/** A prepared statement as the journal runs it: `Params` are what it binds, `Row` what it selects. */
interface SqliteStatement<Params extends unknown[], Row> {
  run(...params: Params): RunResult;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
}

/**
 * Every statement the SQLite journal runs, prepared once per connection. Row types are the columns each one selects
 * (see sqlite-rows.ts); bound parameters are named, except where a statement takes one.
 */
export type SqliteStatements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database) {
  /** `raw` returns rows as arrays in column order, `pluck` the first column's value. */
  const prepare = <Params extends unknown[] = [], Row = never>(
    sql: string,
    mode: 'objects' | 'raw' | 'pluck' = 'objects',
  ): SqliteStatement<Params, Row> => {
    const statement = db.prepare<Params, Row>(sql);
    if (mode === 'raw') statement.raw();
    if (mode === 'pluck') statement.pluck();
    return statement;
  };
  const positions = <Params extends object, Row = never>(sql: string) =>
    new SqlitePositionsStatement<Params, Row>(db, sql);
  return {
    insertOperation: prepare<
      [
        {
          key: string;
          tenant: string;
          id: string;
          fingerprint: string;
          accounts: string;
          total: number;
          createdAt: number;
          whenBlocked: string | null;
          selection: string | null;
        },
      ],
      OperationRow
    >(
      `INSERT INTO operations (key, tenant, id, status, fingerprint, accounts, total, pending, created_at, when_blocked,
         selection, discovery, discovery_pass, discovery_found)
       VALUES (@key, @tenant, @id, 'RUNNING', @fingerprint, @accounts, @total, @total, @createdAt, @whenBlocked,
         @selection, iif(@selection IS NULL, NULL, 'DISCOVERING'), iif(@selection IS NULL, NULL, 1),
         iif(@selection IS NULL, NULL, 0))
       RETURNING *`,
    ),
    // Which of a listed page's video ids (a JSON array) the operation already holds: one items_latest probe each.
    knownVideoIds: prepare<[{ opId: number; videoIds: string }], string>(
      `SELECT j.value FROM json_each(@videoIds) AS j
       WHERE EXISTS (SELECT 1 FROM items WHERE video_id = j.value AND op_id = @opId)`,
      'pluck',
    ),
    // The events of items just discovered (positions @from..@to): each opens its item, so `completed` stays.
    insertDiscoveredEvents: prepare<[{ opId: number; sequence: number; completed: number; from: number; to: number }]>(
      `INSERT INTO events (op_id, sequence, position, status, error, attempts, restorable_until, confirmed_at,
         next_attempt_at, updated_at, completed, op_status)
       SELECT op_id, @sequence + position - @from, position, status, NULL, 0, NULL, NULL, NULL, updated_at, @completed,
         'RUNNING'
       FROM items WHERE op_id = @opId AND position BETWEEN @from AND @to ORDER BY position`,
    ),
    updateDiscovery: prepare<
      [
        DiscoveryWrite & {
          opId: number;
          status: OperationStatus;
          total: number;
          pending: number;
          lastSequence: number;
          finishedAt: number | null;
        },
      ]
    >(
      `UPDATE operations SET discovery = @discovery, discovery_cursor = @cursor, discovery_pass = @pass,
         discovery_found = @found, discovery_error = @error, status = @status, total = @total, pending = @pending,
         last_sequence = @lastSequence, finished_at = @finishedAt
       WHERE op_id = @opId`,
    ),
    // A run of items alike in status, from one JSON array of video ids, which SQLite reads itself.
    insertItems: prepare<[{ opId: number; first: number; status: ItemStatus; at: number; videoIds: string }]>(
      `INSERT INTO items (op_id, position, video_id, status, updated_at)
       SELECT @opId, @first + j.key, j.value, @status, @at FROM json_each(@videoIds) AS j`,
    ),
    operationByKey: prepare<[key: string], OperationRow>(`SELECT * FROM operations WHERE key = ?`),
    opIdByKey: prepare<[key: string], number>(`SELECT op_id FROM operations WHERE key = ?`, 'pluck'),
    operationState: prepare<[key: string], OperationStateRow>(
      `SELECT op_id, id, status, total, deleted, not_found, failed, restored, cancelled, pending, last_sequence,
         finished_at, discovery
       FROM operations WHERE key = ?`,
    ),
    updateOperation: prepare<
      [
        {
          opId: number;
          status: OperationStatus;
          deleted: number;
          notFound: number;
          failed: number;
          restored: number;
          cancelled: number;
          pending: number;
          lastSequence: number;
          finishedAt: number | null;
        },
      ]
    >(
      `UPDATE operations SET status = @status, deleted = @deleted, not_found = @notFound, failed = @failed,
         restored = @restored, cancelled = @cancelled, pending = @pending, last_sequence = @lastSequence,
         finished_at = @finishedAt
       WHERE op_id = @opId`,
    ),
    cancelDiscovery: prepare<[{ opId: number; status: OperationStatus; finishedAt: number | null }]>(
      `UPDATE operations SET discovery = 'CANCELLED', status = @status, finished_at = @finishedAt WHERE op_id = @opId`,
    ),
    // `deletions`: one tenant's operations newest first, from a cursor or from the top, of any status or of one; each
    // walks operations_by_tenant or operations_by_tenant_status from where the page starts.
    operationsPage: prepare<[{ tenant: string; limit: number }], OperationRow>(
      `SELECT * FROM operations WHERE tenant = @tenant ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    operationsPageAfter: prepare<[OperationPageAfterParams], OperationRow>(
      `SELECT * FROM operations WHERE tenant = @tenant AND (created_at, id) < (@createdAt, @id)
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    operationsPageByStatus: prepare<[{ tenant: string; status: OperationStatus; limit: number }], OperationRow>(
      `SELECT * FROM operations WHERE tenant = @tenant AND status = @status
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    operationsPageByStatusAfter: prepare<[OperationPageAfterParams & { status: OperationStatus }], OperationRow>(
      `SELECT * FROM operations WHERE tenant = @tenant AND status = @status AND (created_at, id) < (@createdAt, @id)
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    unfinished: prepare<[], OperationRow>(
      `SELECT * FROM operations WHERE pending > 0 OR discovery = 'DISCOVERING' ORDER BY op_id`,
    ),
    purge: prepare<[cutoff: number]>(
      `DELETE FROM operations WHERE finished_at IS NOT NULL AND finished_at < ? AND pending = 0`,
    ),

    itemsAt: positions<OpId, ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = @opId AND $positions`),
    openAt: positions<OpId, { position: number }>(
      `SELECT position FROM items WHERE op_id = @opId AND $positions AND status IN ('PENDING', 'SCHEDULED')`,
    ),
    markAttempt: positions<OpId>(
      `UPDATE items SET attempts = attempts + 1, ambiguous = 1
       WHERE op_id = @opId AND $positions AND status IN ('PENDING', 'SCHEDULED')`,
    ),
    clearAmbiguous: positions<OpId>(`UPDATE items SET ambiguous = 0 WHERE op_id = @opId AND $positions`),
    // markAttempt taken back, for a call that was never made (see OperationStore.cancelUnsent).
    unmarkAttempt: positions<OpId>(
      `UPDATE items SET attempts = max(attempts - 1, 0), ambiguous = 0
       WHERE op_id = @opId AND $positions AND status IN ('PENDING', 'SCHEDULED')`,
    ),
    // What cancelDeletion cancels: open items no call may have reached. Walks the operation's primary key.
    cancellable: prepare<[OpId], number>(
      `SELECT position FROM items WHERE op_id = @opId AND status IN ('PENDING', 'SCHEDULED') AND ambiguous = 0
       ORDER BY position`,
      'pluck',
    ),
    updateItems: positions<ItemWriteParams>(
      `UPDATE items SET status = @status, error = @error, ambiguous = @ambiguous, restorable_until = @restorableUntil,
         confirmed_at = @confirmedAt, next_attempt_at = @nextAttemptAt, updated_at = @updatedAt
       WHERE op_id = @opId AND $positions`,
    ),
    // The same, touching only items still as the caller saw them: fewer changes than positions means it saw wrong.
    updateSeenItems: positions<SeenItemWriteParams>(
      `UPDATE items SET status = @status, error = @error, ambiguous = @ambiguous, restorable_until = @restorableUntil,
         confirmed_at = @confirmedAt, next_attempt_at = @nextAttemptAt, updated_at = @updatedAt
       WHERE op_id = @opId AND $positions AND status = @wasStatus AND attempts = @wasAttempts
         AND ambiguous = @wasAmbiguous AND restorable_until IS @wasRestorableUntil`,
    ),
    items: prepare<[ItemPageParams], ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = @opId AND position > @after ORDER BY position LIMIT @limit`,
    ),
    itemsByStatus: prepare<[ItemPageParams & { status: ItemStatus }], ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = @opId AND position > @after AND status = @status
       ORDER BY position LIMIT @limit`,
    ),
    // Planning: walks the primary key from `after`, reading each item once per account, whatever is already final.
    openItems: prepare<[OpenItemPageParams & { prefix: string }], OpenItemTuple>(
      `SELECT position, video_id, status, attempts, ambiguous, restorable_until, next_attempt_at
         FROM items WHERE op_id = @opId AND position > @after AND substr(video_id, 1, length(@prefix)) = @prefix
           AND status IN ('PENDING', 'SCHEDULED')
         ORDER BY position LIMIT @first`,
      'raw',
    ),
    // An operation on one account needs no filter by account: one string comparison less per item.
    openItemsOfAll: prepare<[OpenItemPageParams], OpenItemTuple>(
      `SELECT position, video_id, status, attempts, ambiguous, restorable_until, next_attempt_at
         FROM items WHERE op_id = @opId AND position > @after AND status IN ('PENDING', 'SCHEDULED')
         ORDER BY position LIMIT @first`,
      'raw',
    ),
    latestItem: prepare<[{ videoId: string; tenant: string }], LatestItemRow>(
      `SELECT ${ITEM_COLUMNS.split(', ')
        .map((column) => `i.${column}`)
        .join(', ')}, o.id AS operation_id
       FROM items i JOIN operations o ON o.op_id = i.op_id
       WHERE i.video_id = @videoId AND o.tenant = @tenant ORDER BY i.op_id DESC LIMIT 1`,
    ),

    insertEvents: new SqliteMultiRowInsert<EventRow>(
      db,
      'events',
      [
        'op_id',
        'sequence',
        'position',
        'status',
        'error',
        'attempts',
        'restorable_until',
        'confirmed_at',
        'next_attempt_at',
        'updated_at',
        'completed',
        'op_status',
      ],
      50,
    ),
    // The events of a contiguous run of items just closed: event i is position @from + i, and the items hold exactly
    // what the events must say. The one that finishes the operation never comes this way (its status is not RUNNING).
    insertEventsFromItems: prepare<[{ opId: number; sequence: number; completed: number; from: number; to: number }]>(
      `INSERT INTO events (op_id, sequence, position, status, error, attempts, restorable_until, confirmed_at,
         next_attempt_at, updated_at, completed, op_status)
       SELECT op_id, @sequence + position - @from, position, status, error, attempts, restorable_until, confirmed_at,
         next_attempt_at, updated_at, @completed + position - @from, 'RUNNING'
       FROM items WHERE op_id = @opId AND position BETWEEN @from AND @to ORDER BY position`,
    ),
    // The item as it was at each event: the event's own columns, the item's identity.
    events: prepare<[{ opId: number; after: number; limit: number }], EventWithVideoRow>(
      `SELECT e.sequence, e.position, i.video_id, e.status, e.error, e.attempts, e.restorable_until, e.updated_at,
         e.confirmed_at, e.next_attempt_at, e.completed, e.op_status
       FROM events e JOIN items i ON i.op_id = e.op_id AND i.position = e.position
       WHERE e.op_id = @opId AND e.sequence > @after ORDER BY e.sequence LIMIT @limit`,
    ),

    delivery: prepare<[{ account: string; deliveryId: string }], { found: 1 }>(
      `SELECT 1 AS found FROM deliveries WHERE account = @account AND delivery_id = @deliveryId`,
    ),
    insertDelivery: prepare<[{ account: string; deliveryId: string; receivedAt: number }]>(
      `INSERT OR IGNORE INTO deliveries (account, delivery_id, received_at) VALUES (@account, @deliveryId, @receivedAt)`,
    ),
    purgeDeliveries: prepare<[cutoff: number]>(`DELETE FROM deliveries WHERE received_at < ?`),

    learnedRates: prepare<[], LearnedRateRow>(
      `SELECT account, requests_per_second, configured_requests_per_second, learned_at FROM account_rates`,
    ),
    saveLearnedRate: prepare<[LearnedRateRow]>(
      `INSERT INTO account_rates (account, requests_per_second, configured_requests_per_second, learned_at)
       VALUES (@account, @requests_per_second, @configured_requests_per_second, @learned_at)
       ON CONFLICT (account) DO UPDATE SET requests_per_second = excluded.requests_per_second,
         configured_requests_per_second = excluded.configured_requests_per_second, learned_at = excluded.learned_at`,
    ),
  };
}
