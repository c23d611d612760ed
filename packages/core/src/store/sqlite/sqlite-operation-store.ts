import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import type { ItemError } from '@unreel/provider-spec';
import { OperationExistsError } from '../../errors/operation-exists-error.js';
import {
  isFinalItemStatus,
  operationKey,
  type ItemRecord,
  type ItemStatus,
  type OperationRecord,
  type OperationStatus,
  type ProgressEvent,
} from '../../model/operation.js';
import { applyItemChange, isCancellable, restoredUpdate, type OperationProgress } from '../item-change.js';
import type { ItemPage, ItemUpdate, NewOperation, OpenItemRecord, OperationStore } from '../operation-store.js';
import { unknownItemError, unknownOperationError } from '../store-errors.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { migrate } from './sqlite-migrations.js';
import { SqliteMultiRowInsert } from './sqlite-multi-row-insert.js';
import { SqlitePositionsStatement } from './sqlite-positions.js';

export interface SqliteOperationStoreOptions {
  /** A file path, or ':memory:'. Parent folders are created. */
  path: string;
  /**
   * 'normal' (default) survives a crash or kill of the process, which is what resuming needs; 'full' also survives
   * power loss, at the price of an fsync on every commit.
   */
  synchronous?: 'normal' | 'full';
}

interface OperationRow {
  op_id: number;
  key: string;
  tenant: string;
  id: string;
  status: OperationStatus;
  fingerprint: string;
  accounts: string;
  total: number;
  deleted: number;
  not_found: number;
  failed: number;
  restored: number;
  pending: number;
  last_sequence: number;
  created_at: number;
  finished_at: number | null;
}

/**
 * Item reads return arrays in this column order (better-sqlite3's raw mode): hot paths read thousands of rows, and
 * arrays cost half what objects do.
 */
const ITEM_COLUMNS =
  'position, video_id, status, error, attempts, ambiguous, restorable_until, updated_at, confirmed_at';
type ItemTuple = [
  position: number,
  videoId: string,
  status: ItemStatus,
  error: string | null,
  attempts: number,
  ambiguous: number,
  restorableUntil: number | null,
  updatedAt: number,
  confirmedAt: number | null,
];

/** What a write needs of an operation: its counts and sequence, read at the start of the write. */
interface OperationState extends OperationProgress {
  opId: number;
  id: string;
  finishedAt: number | null;
}
type OperationStateRow = [
  number,
  string,
  OperationStatus,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number | null,
];

/** What listOpenItems reads of an item, in its SELECT's column order. */
type OpenItemTuple = [
  position: number,
  videoId: string,
  status: ItemStatus,
  attempts: number,
  ambiguous: number,
  restorableUntil: number | null,
];

/** Thrown inside a write when the journal is not what the caller saw; the write then reads the items itself. */
const STALE = Symbol('stale');

/** Items handed to SQLite at once when journaling a new operation: bounds the JSON text built for them. */
const INSERT_CHUNK = 5_000;

/**
 * The durable journal: one SQLite file in WAL mode. Every write runs in a group commit (see SqliteGroupCommit) and
 * applies whole or not at all, so the journal always says exactly what was done up to the last commit, whatever kills
 * the process, and a write's promise settles only after its commit. Writes touch a batch's rows with one statement
 * each where SQLite can walk them as a range.
 */
export class SqliteOperationStore implements OperationStore {
  private readonly db: Database;
  private readonly statements: ReturnType<typeof prepare>;
  private readonly writes: SqliteGroupCommit;
  private readonly checkpointer: SqliteCheckpointer;
  private readonly opIds = new Map<string, number>();

  constructor(options: SqliteOperationStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.db = new BetterSqlite3(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    // 16 MiB of pages (SQLite's default is 2): planning reads back pages the journal has just written, and batches
    // rewrite them; a cache that holds them saves fetching them again from the WAL.
    this.db.pragma('cache_size = -16384');
    migrate(this.db);
    this.statements = prepare(this.db);
    this.checkpointer = new SqliteCheckpointer(this.db);
    this.writes = new SqliteGroupCommit(this.db, () => this.checkpointer.committed());
  }

  createOperation(operation: NewOperation): Promise<OperationRecord> {
    const key = operationKey(operation.tenant, operation.id);
    const { items } = operation;
    const accounts = [...new Set(items.map((item) => item.account))];
    const createdAt = operation.createdAt.getTime();
    const s = this.statements;
    return this.writes.enqueue(() => {
      if (s.operationByKey.get(key)) throw new OperationExistsError(`Operation ${operation.id} already exists`);
      const { lastInsertRowid } = s.insertOperation.run(
        key,
        operation.tenant,
        operation.id,
        operation.fingerprint,
        JSON.stringify(accounts),
        items.length,
        items.length,
        createdAt,
      );
      const opId = Number(lastInsertRowid);
      // Runs of items alike in status go in as one JSON text of ids each, which SQLite reads itself: the cheapest way
      // in. Items keep only the video id; account and native id are read back from it, so it must hold both.
      let first = 0;
      let videoIds: string[] = [];
      let runStatus = items[0]?.status;
      const insertRun = (): void => {
        if (videoIds.length > 0)
          s.insertItems.run({ opId, first, status: runStatus, at: createdAt, videoIds: JSON.stringify(videoIds) });
      };
      for (let position = 0; position < items.length; position += 1) {
        const { videoId, account, nativeId, status } = items[position] as NewOperation['items'][number];
        if (
          videoId.length !== account.length + 1 + nativeId.length ||
          videoId.charCodeAt(account.length) !== 58 ||
          !videoId.startsWith(account) ||
          !videoId.endsWith(nativeId)
        ) {
          throw new Error(
            `Video id ${JSON.stringify(videoId)} is not "<account>:<native id>" for account ${JSON.stringify(account)}`,
          );
        }
        if (status !== runStatus || videoIds.length === INSERT_CHUNK) {
          insertRun();
          first = position;
          runStatus = status;
          videoIds = [];
        }
        videoIds.push(videoId);
      }
      insertRun();
      return toOperation(s.operationById.get(opId) as OperationRow);
    });
  }

  async getOperation(key: string): Promise<OperationRecord | null> {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    return row ? toOperation(row) : null;
  }

  markAttempt(key: string, positions: readonly number[]): Promise<number[]> {
    const s = this.statements;
    return this.writes.enqueue(() => {
      const opId = this.requireOpId(key);
      if (s.markAttempt.run({ opId }, positions) === positions.length) return [...positions];
      // Some were closed meanwhile: the ones still open now are the ones just marked.
      const open = new Set((s.openAt.all({ opId }, positions) as [number][]).map(([position]) => position));
      return positions.filter((position) => open.has(position));
    });
  }

  clearAmbiguous(key: string, positions: readonly number[]): Promise<void> {
    return this.writes.enqueue(
      () => {
        this.statements.clearAmbiguous.run({ opId: this.requireOpId(key) }, positions);
      },
      { atomic: true },
    );
  }

  recordUpdates(key: string, updates: readonly ItemUpdate[]): Promise<ProgressEvent[]> {
    return this.writes.enqueue(() => this.applyUpdates(key, updates), { atomic: true });
  }

  cancelScheduled(key: string, position: number, at: Date): Promise<ProgressEvent | null> {
    return this.writes.enqueue(
      () => {
        const [item] = this.statements.itemsAt.all({ opId: this.requireOpId(key) }, [position]) as ItemTuple[];
        if (!item || !isCancellable(item[2], item[4])) return null;
        return this.applyUpdates(key, [restoredUpdate(position, at)])[0] ?? null;
      },
      { atomic: true },
    );
  }

  async listEvents(key: string, after: number, limit: number): Promise<ProgressEvent[]> {
    const operation = this.statements.operationByKey.get(key) as OperationRow | undefined;
    if (!operation) return [];
    const rows = this.statements.events.all(operation.op_id, after, limit) as [
      ...ItemTuple,
      number,
      number,
      OperationStatus,
    ][];
    return rows.map((row) => ({
      operationId: operation.id,
      sequence: row[9],
      item: tupleToItem(row as unknown as ItemTuple, operation.id),
      total: operation.total,
      completed: row[10],
      status: row[11],
    }));
  }

  async listItems(key: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage> {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    if (!row) return { items: [], hasNextPage: false };
    const after = options.after ?? -1;
    const rows = (
      options.status === undefined
        ? this.statements.items.all(row.op_id, after, options.first + 1)
        : this.statements.itemsByStatus.all(row.op_id, after, options.status, options.first + 1)
    ) as ItemTuple[];
    return {
      items: rows.slice(0, options.first).map((item) => tupleToItem(item, row.id)),
      hasNextPage: rows.length > options.first,
    };
  }

  async listOpenItems(
    key: string,
    account: string,
    options: { after?: number; first: number },
  ): Promise<OpenItemRecord[]> {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    if (!row) return [];
    const prefix = `${account}:`;
    // An operation on one account needs no filter by account: one string comparison less per item.
    const statement =
      row.accounts === JSON.stringify([account]) ? this.statements.openItemsOfAll : this.statements.openItems;
    const rows = statement.all({
      opId: row.op_id,
      after: options.after ?? -1,
      prefix,
      first: options.first,
    }) as OpenItemTuple[];
    return rows.map(([position, videoId, status, attempts, ambiguous, restorableUntil]) => ({
      operationId: row.id,
      videoId,
      account,
      nativeId: videoId.slice(prefix.length),
      status,
      attempts,
      ambiguous: ambiguous === 1,
      restorableUntil: restorableUntil === null ? null : new Date(restorableUntil),
      position,
    }));
  }

  async latestItems(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    const result = new Map<string, ItemRecord>();
    for (const videoId of videoIds) {
      const row = this.statements.latestItem.get(videoId, tenant) as [...ItemTuple, string] | undefined;
      if (row) result.set(videoId, tupleToItem(row as unknown as ItemTuple, row[9]));
    }
    return result;
  }

  async listUnfinishedOperations(): Promise<OperationRecord[]> {
    return (this.statements.unfinished.all() as OperationRow[]).map(toOperation);
  }

  async hasDelivery(account: string, deliveryId: string): Promise<boolean> {
    return this.statements.delivery.get(account, deliveryId) !== undefined;
  }

  recordDelivery(account: string, deliveryId: string, at: Date): Promise<boolean> {
    return this.writes.enqueue(
      () => this.statements.insertDelivery.run(account, deliveryId, at.getTime()).changes === 1,
      { atomic: true },
    );
  }

  purgeFinishedBefore(cutoff: Date): Promise<number> {
    return this.writes.enqueue(
      () => {
        this.opIds.clear();
        this.statements.purgeDeliveries.run(cutoff.getTime());
        return this.statements.purge.run(cutoff.getTime()).changes;
      },
      { atomic: true },
    );
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.close();
    this.checkpointer.stop();
    this.db.close();
  }

  /**
   * recordUpdates inside a write: one event per update, the items, and counts and final status on the operation;
   * all in a savepoint, so that a failure leaves nothing behind.
   */
  private applyUpdates(key: string, updates: readonly ItemUpdate[]): ProgressEvent[] {
    const operation = this.operationState(key);
    const seen = seenItems(updates, operation.id);
    if (seen) {
      try {
        // In a savepoint of its own: if the journal is not what the caller saw, nothing of this attempt remains.
        return this.writes.savepoint(() => this.apply(operation, updates, seen, true));
      } catch (error) {
        if (error !== STALE) throw error;
      }
    }
    return this.writes.savepoint(() => {
      const fresh = this.operationState(key);
      const positions = [...new Set(updates.map((update) => update.position))].sort((a, b) => a - b);
      const items = new Map(
        (this.statements.itemsAt.all({ opId: fresh.opId }, positions) as ItemTuple[]).map((tuple) => [
          tuple[0],
          tupleToItem(tuple, fresh.id),
        ]),
      );
      return this.apply(fresh, updates, items, false);
    });
  }

  /**
   * Applies the updates to the items as they were (`before`), in order; writes the items with one UPDATE per run of
   * alike outcomes, then the events and the operation. With `checkBefore`, each UPDATE also requires the items to
   * still be as `before` says, and throws STALE when one is not.
   */
  private apply(
    operation: OperationState,
    updates: readonly ItemUpdate[],
    before: ReadonlyMap<number, OpenItemRecord>,
    checkBefore: boolean,
  ): ProgressEvent[] {
    const s = this.statements;
    const { opId } = operation;
    const items = new Map<number, ItemRecord>();
    const events: ProgressEvent[] = [];
    const firstSequence = operation.lastSequence + 1;
    const firstPosition = updates[0]?.position ?? 0;
    // Whether the events can be copied from the written items by SQL (see insertEventsFromItems): one event per item
    // of a contiguous run, in position order, each closing an open item, while the operation stays RUNNING.
    let copyable = true;
    for (const [index, update] of updates.entries()) {
      const current = items.get(update.position) ?? before.get(update.position);
      if (!current) throw unknownItemError(operation.id, update.position);
      const item: ItemRecord = {
        operationId: operation.id,
        videoId: current.videoId,
        account: current.account,
        nativeId: current.nativeId,
        status: update.status,
        error: update.error ?? null,
        attempts: current.attempts,
        ambiguous: isFinalItemStatus(update.status) ? false : current.ambiguous,
        restorableUntil: update.restorableUntil !== undefined ? update.restorableUntil : current.restorableUntil,
        // An open item (all that `seen` describes) is never confirmed yet: a confirmation closes it.
        confirmedAt:
          update.confirmedAt !== undefined
            ? update.confirmedAt
            : ((current as Partial<ItemRecord>).confirmedAt ?? null),
        updatedAt: update.at,
        position: update.position,
      };
      copyable &&=
        update.position === firstPosition + index &&
        !isFinalItemStatus(current.status) &&
        isFinalItemStatus(item.status);
      if (applyItemChange(operation, current.status, item.status)) operation.finishedAt = update.at.getTime();
      items.set(update.position, item);
      events.push({
        operationId: operation.id,
        sequence: operation.lastSequence,
        item,
        total: operation.total,
        completed: operation.total - operation.pending,
        status: operation.status,
      });
    }
    copyable &&= operation.status === 'RUNNING';
    // A batch's outcomes are mostly alike (all DELETED at the same instant): one UPDATE per run of alike items.
    const statement = checkBefore ? s.updateSeenItems : s.updateItems;
    const positions = copyable ? [...items.keys()] : [...items.keys()].sort((a, b) => a - b);
    let runStart = 0;
    for (let index = 1; index <= positions.length; index += 1) {
      const head = positions[runStart] as number;
      if (index < positions.length && alike(items, checkBefore ? before : undefined, head, positions[index] as number))
        continue;
      const run = positions.slice(runStart, index);
      if (
        statement.run(
          itemWrite(opId, items.get(head) as ItemRecord, checkBefore ? before.get(head) : undefined),
          run,
        ) !== run.length
      )
        throw STALE;
      runStart = index;
    }
    const first = events[0];
    if (copyable && first) {
      s.insertEventsFromItems.run({
        opId,
        sequence: firstSequence,
        completed: first.completed,
        from: firstPosition,
        to: firstPosition + events.length - 1,
      });
    } else {
      s.insertEvents.run(
        events.flatMap((event) => [
          opId,
          event.sequence,
          event.item.position,
          event.item.status,
          errorText(event.item.error),
          event.item.attempts,
          event.item.restorableUntil?.getTime() ?? null,
          event.item.confirmedAt?.getTime() ?? null,
          event.item.updatedAt.getTime(),
          event.completed,
          event.status,
        ]),
      );
    }
    s.updateOperation.run(
      operation.status,
      operation.deleted,
      operation.notFound,
      operation.failed,
      operation.restored,
      operation.pending,
      operation.lastSequence,
      operation.finishedAt,
      opId,
    );
    return events;
  }

  private operationState(key: string): OperationState {
    const row = this.statements.operationState.get(key) as OperationStateRow | undefined;
    if (!row) throw unknownOperationError(key);
    const [opId, id, status, total, deleted, notFound, failed, restored, pending, lastSequence, finishedAt] = row;
    return { opId, id, status, total, deleted, notFound, failed, restored, pending, lastSequence, finishedAt };
  }

  /** Row ids of operations never change, and only a purge removes one: the one lookup worth remembering. */
  private requireOpId(key: string): number {
    const known = this.opIds.get(key);
    if (known !== undefined) return known;
    const row = this.statements.opIdByKey.get(key) as { op_id: number } | undefined;
    if (!row) throw unknownOperationError(key);
    if (this.opIds.size >= 10_000) this.opIds.clear();
    this.opIds.set(key, row.op_id);
    return row.op_id;
  }
}

function prepare(db: Database) {
  const statement = (sql: string): Statement => db.prepare(sql);
  const raw = (sql: string): Statement => db.prepare(sql).raw(true);
  const positions = (sql: string, options: { raw?: boolean } = {}) => new SqlitePositionsStatement(db, sql, options);
  return {
    insertOperation: statement(
      `INSERT INTO operations (key, tenant, id, status, fingerprint, accounts, total, pending, created_at)
       VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)`,
    ),
    insertItems: statement(
      `INSERT INTO items (op_id, position, video_id, status, updated_at)
       SELECT @opId, @first + j.key, j.value, @status, @at FROM json_each(@videoIds) AS j`,
    ),
    operationByKey: statement(`SELECT * FROM operations WHERE key = ?`),
    opIdByKey: statement(`SELECT op_id FROM operations WHERE key = ?`),
    operationById: statement(`SELECT * FROM operations WHERE op_id = ?`),
    itemsAt: positions(`SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = @opId AND $positions`, { raw: true }),
    openAt: positions(
      `SELECT position FROM items WHERE op_id = @opId AND $positions AND status IN ('PENDING', 'SCHEDULED')`,
      { raw: true },
    ),
    markAttempt: positions(
      `UPDATE items SET attempts = attempts + 1, ambiguous = 1 WHERE op_id = @opId AND $positions AND status IN ('PENDING', 'SCHEDULED')`,
    ),
    clearAmbiguous: positions(`UPDATE items SET ambiguous = 0 WHERE op_id = @opId AND $positions`),
    updateItems: positions(
      `UPDATE items SET status = @status, error = @error, ambiguous = @ambiguous, restorable_until = @restorableUntil,
       confirmed_at = @confirmedAt, updated_at = @updatedAt WHERE op_id = @opId AND $positions`,
    ),
    // The events of a contiguous run of items just closed: event i is position @from + i, and the items hold exactly
    // what the events must say. The one that finishes the operation never comes this way (its status is not RUNNING).
    insertEventsFromItems: statement(
      `INSERT INTO events (op_id, sequence, position, status, error, attempts, restorable_until, confirmed_at, updated_at, completed, op_status)
       SELECT op_id, @sequence + position - @from, position, status, error, attempts, restorable_until, confirmed_at, updated_at,
              @completed + position - @from, 'RUNNING'
       FROM items WHERE op_id = @opId AND position BETWEEN @from AND @to ORDER BY position`,
    ),
    updateSeenItems: positions(
      `UPDATE items SET status = @status, error = @error, ambiguous = @ambiguous, restorable_until = @restorableUntil,
       confirmed_at = @confirmedAt, updated_at = @updatedAt
       WHERE op_id = @opId AND $positions AND status = @wasStatus AND attempts = @wasAttempts AND ambiguous = @wasAmbiguous
         AND restorable_until IS @wasRestorableUntil`,
    ),
    operationState: raw(
      `SELECT op_id, id, status, total, deleted, not_found, failed, restored, pending, last_sequence, finished_at
       FROM operations WHERE key = ?`,
    ),
    insertEvents: new SqliteMultiRowInsert(
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
        'updated_at',
        'completed',
        'op_status',
      ],
      50,
    ),
    updateOperation: statement(
      `UPDATE operations SET status = ?, deleted = ?, not_found = ?, failed = ?, restored = ?, pending = ?, last_sequence = ?,
       finished_at = ? WHERE op_id = ?`,
    ),
    // The item as it was at each event: the event's own columns, the item's identity. Tuple: ITEM_COLUMNS, then
    // sequence, completed, op_status. Events keep no `ambiguous` (0): each leaves its item final, which clears it.
    events: raw(
      `SELECT e.position, i.video_id, e.status, e.error, e.attempts, 0, e.restorable_until, e.updated_at, e.confirmed_at,
              e.sequence, e.completed, e.op_status
       FROM events e JOIN items i ON i.op_id = e.op_id AND i.position = e.position
       WHERE e.op_id = ? AND e.sequence > ? ORDER BY e.sequence LIMIT ?`,
    ),
    items: raw(`SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = ? AND position > ? ORDER BY position LIMIT ?`),
    itemsByStatus: raw(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = ? AND position > ? AND status = ? ORDER BY position LIMIT ?`,
    ),
    // Walks the primary key from `after`: planning reads each item once per account, whatever is already final.
    openItems: raw(
      `SELECT position, video_id, status, attempts, ambiguous, restorable_until
       FROM items WHERE op_id = @opId AND position > @after AND substr(video_id, 1, length(@prefix)) = @prefix
         AND status IN ('PENDING', 'SCHEDULED')
       ORDER BY position LIMIT @first`,
    ),
    openItemsOfAll: raw(
      `SELECT position, video_id, status, attempts, ambiguous, restorable_until
       FROM items WHERE op_id = @opId AND position > @after AND status IN ('PENDING', 'SCHEDULED')
       ORDER BY position LIMIT @first`,
    ),
    latestItem: raw(
      `SELECT ${ITEM_COLUMNS.split(', ')
        .map((column) => `i.${column}`)
        .join(', ')}, o.id FROM items i JOIN operations o ON o.op_id = i.op_id
       WHERE i.video_id = ? AND o.tenant = ? ORDER BY i.op_id DESC LIMIT 1`,
    ),
    unfinished: statement(`SELECT * FROM operations WHERE pending > 0 ORDER BY op_id`),
    purge: statement(`DELETE FROM operations WHERE finished_at IS NOT NULL AND finished_at < ? AND pending = 0`),
    delivery: statement(`SELECT 1 FROM deliveries WHERE account = ? AND delivery_id = ?`),
    insertDelivery: statement(`INSERT OR IGNORE INTO deliveries (account, delivery_id, received_at) VALUES (?, ?, ?)`),
    purgeDeliveries: statement(`DELETE FROM deliveries WHERE received_at < ?`),
  };
}

function toOperation(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status,
    fingerprint: row.fingerprint,
    accounts: JSON.parse(row.accounts) as string[],
    lastSequence: row.last_sequence,
    createdAt: new Date(row.created_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
    total: row.total,
    deleted: row.deleted,
    notFound: row.not_found,
    failed: row.failed,
    restored: row.restored,
    pending: row.pending,
  };
}

function tupleToItem(tuple: ItemTuple, operationId: string): ItemRecord {
  const [position, videoId, status, error, attempts, ambiguous, restorableUntil, updatedAt, confirmedAt] = tuple;
  const separator = videoId.indexOf(':');
  return {
    operationId,
    videoId,
    account: videoId.slice(0, separator),
    nativeId: videoId.slice(separator + 1),
    status,
    error: error === null ? null : (JSON.parse(error) as ItemError),
    attempts,
    ambiguous: ambiguous === 1,
    restorableUntil: restorableUntil === null ? null : new Date(restorableUntil),
    confirmedAt: confirmedAt === null ? null : new Date(confirmedAt),
    updatedAt: new Date(updatedAt),
    position,
  };
}

function errorText(error: ItemError | null): string | null {
  return error ? JSON.stringify(error) : null;
}

/** The updates' `seen` items by position, when every update has one for this operation and no item comes twice. */
function seenItems(updates: readonly ItemUpdate[], operationId: string): Map<number, OpenItemRecord> | undefined {
  const seen = new Map<number, OpenItemRecord>();
  for (const update of updates) {
    const item = update.seen;
    if (!item || item.position !== update.position || item.operationId !== operationId || seen.has(item.position))
      return undefined;
    seen.set(item.position, item);
  }
  return seen;
}

/** Parameters of the UPDATE for a run of items alike to this one; with `was`, what they must still hold. */
function itemWrite(opId: number, item: ItemRecord, was: OpenItemRecord | undefined): Record<string, unknown> {
  const write: Record<string, unknown> = {
    opId,
    status: item.status,
    error: errorText(item.error),
    ambiguous: item.ambiguous ? 1 : 0,
    restorableUntil: time(item.restorableUntil),
    confirmedAt: time(item.confirmedAt),
    updatedAt: item.updatedAt.getTime(),
  };
  if (was) {
    write.wasStatus = was.status;
    write.wasAttempts = was.attempts;
    write.wasAmbiguous = was.ambiguous ? 1 : 0;
    write.wasRestorableUntil = time(was.restorableUntil);
  }
  return write;
}

/** Whether two items can share one UPDATE: the same outcome, and, given `before`, the same state before it. */
function alike(
  items: ReadonlyMap<number, ItemRecord>,
  before: ReadonlyMap<number, OpenItemRecord> | undefined,
  a: number,
  b: number,
): boolean {
  const x = items.get(a) as ItemRecord;
  const y = items.get(b) as ItemRecord;
  if (x.status !== y.status || x.ambiguous !== y.ambiguous || time(x.restorableUntil) !== time(y.restorableUntil))
    return false;
  if (time(x.confirmedAt) !== time(y.confirmedAt)) return false;
  if (
    x.updatedAt.getTime() !== y.updatedAt.getTime() ||
    (x.error !== y.error && errorText(x.error) !== errorText(y.error))
  )
    return false;
  if (!before) return true;
  const p = before.get(a) as OpenItemRecord;
  const q = before.get(b) as OpenItemRecord;
  return (
    p.status === q.status &&
    p.attempts === q.attempts &&
    p.ambiguous === q.ambiguous &&
    time(p.restorableUntil) === time(q.restorableUntil)
  );
}

function time(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}
