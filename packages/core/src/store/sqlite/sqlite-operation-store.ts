import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import type { ItemError } from '@unreel/provider-spec';
import { OperationExistsError } from '../../errors/operation-exists-error.js';
import {
  finalOperationStatus,
  isFinalItemStatus,
  operationKey,
  type ItemRecord,
  type ItemStatus,
  type OperationRecord,
  type OperationStatus,
  type ProgressEvent,
} from '../../model/operation.js';
import { applyCounts } from '../apply-counts.js';
import type { ItemPage, ItemUpdate, NewOperation, OperationStore } from '../operation-store.js';
import { migrate } from './sqlite-migrations.js';

export interface SqliteOperationStoreOptions {
  /** A file path, or ':memory:'. Parent folders are created. */
  path: string;
  /**
   * 'normal' (default) survives a crash or kill of the process, which is what resuming needs; 'full' also survives
   * power loss, at the price of an fsync on every write.
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

interface ItemRow {
  op_id: number;
  position: number;
  video_id: string;
  account: string;
  native_id: string;
  status: ItemStatus;
  error: string | null;
  attempts: number;
  ambiguous: number;
  restorable_until: number | null;
  confirmed_at: number | null;
  updated_at: number;
}

interface EventRow extends ItemRow {
  sequence: number;
  completed: number;
  op_status: OperationStatus;
  total: number;
  operation_id: string;
}

/**
 * The durable journal: one SQLite file in WAL mode. Each store method is one transaction, so the journal always
 * says exactly what was done up to the last finished write, whatever kills the process.
 */
export class SqliteOperationStore implements OperationStore {
  private readonly db: Database;
  private readonly statements: ReturnType<typeof prepare>;

  constructor(options: SqliteOperationStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.db = new BetterSqlite3(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.statements = prepare(this.db);
  }

  async createOperation(operation: NewOperation): Promise<OperationRecord> {
    const key = operationKey(operation.tenant, operation.id);
    const accounts = [...new Set(operation.items.map((item) => item.account))];
    const createdAt = operation.createdAt.getTime();
    const s = this.statements;
    return this.db.transaction(() => {
      if (s.operationByKey.get(key)) throw new OperationExistsError(`Operation ${operation.id} already exists`);
      const { lastInsertRowid } = s.insertOperation.run(key, operation.tenant, operation.id, operation.fingerprint, JSON.stringify(accounts), operation.items.length, operation.items.length, createdAt);
      const opId = Number(lastInsertRowid);
      operation.items.forEach((item, position) => {
        s.insertItem.run(opId, position, item.videoId, item.account, item.nativeId, item.status, createdAt);
      });
      return toOperation(s.operationById.get(opId) as OperationRow);
    })();
  }

  async getOperation(key: string): Promise<OperationRecord | null> {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    return row ? toOperation(row) : null;
  }

  async markAttempt(key: string, videoIds: readonly string[]): Promise<void> {
    const opId = this.requireOpId(key);
    this.statements.markAttempt.run(opId, JSON.stringify(videoIds));
  }

  async clearAmbiguous(key: string, videoIds: readonly string[]): Promise<void> {
    const opId = this.requireOpId(key);
    this.statements.clearAmbiguous.run(opId, JSON.stringify(videoIds));
  }

  async recordUpdates(key: string, updates: readonly ItemUpdate[]): Promise<ProgressEvent[]> {
    const s = this.statements;
    return this.db.transaction(() => {
      const row = s.operationByKey.get(key) as OperationRow | undefined;
      if (!row) throw new Error(`Unknown operation ${key.replace('\u001f', '/')}`);
      const operation = toOperation(row);
      const events: ProgressEvent[] = [];
      // One read for the whole batch; a batch is at most a provider call's worth of ids.
      const rows = new Map((s.itemsByVideos.all(JSON.stringify(updates.map((update) => update.videoId)), row.op_id) as ItemRow[]).map((item) => [item.video_id, item]));
      for (const update of updates) {
        const itemRow = rows.get(update.videoId);
        if (!itemRow) throw new Error(`Video ${update.videoId} is not part of operation ${operation.id}`);
        const item = toItem(itemRow, operation.id);
        // The same video twice in one batch: the second update starts from the first.
        rows.set(update.videoId, {
          ...itemRow,
          status: update.status,
          ...(update.confirmedAt === undefined ? {} : { confirmed_at: update.confirmedAt?.getTime() ?? null }),
        });
        applyCounts(operation, item.status, update.status);
        item.status = update.status;
        item.error = update.error ?? null;
        if (update.restorableUntil !== undefined) item.restorableUntil = update.restorableUntil;
        if (update.confirmedAt !== undefined) item.confirmedAt = update.confirmedAt;
        if (isFinalItemStatus(update.status)) item.ambiguous = false;
        item.updatedAt = update.at;
        if (operation.pending === 0) {
          // A late confirmation may turn a deletion into a failure (or back): a finished operation's status follows.
          if (operation.status === 'RUNNING') operation.finishedAt = update.at;
          operation.status = finalOperationStatus(operation);
        }
        operation.lastSequence += 1;
        const error = item.error ? JSON.stringify(item.error) : null;
        const restorableUntil = item.restorableUntil?.getTime() ?? null;
        const confirmedAt = item.confirmedAt?.getTime() ?? null;
        s.updateItem.run(item.status, error, item.ambiguous ? 1 : 0, restorableUntil, confirmedAt, update.at.getTime(), row.op_id, item.position);
        const completed = operation.total - operation.pending;
        s.insertEvent.run(row.op_id, operation.lastSequence, item.position, item.status, error, item.attempts, restorableUntil, confirmedAt, update.at.getTime(), completed, operation.status);
        events.push({ operationId: operation.id, sequence: operation.lastSequence, item, total: operation.total, completed, status: operation.status });
      }
      s.updateOperation.run(
        operation.status, operation.deleted, operation.notFound, operation.failed, operation.restored, operation.pending,
        operation.lastSequence, operation.finishedAt?.getTime() ?? null, row.op_id,
      );
      return events;
    })();
  }

  async listEvents(key: string, after: number, limit: number): Promise<ProgressEvent[]> {
    const rows = this.statements.events.all(key, after, limit) as EventRow[];
    return rows.map((row) => ({
      operationId: row.operation_id,
      sequence: row.sequence,
      item: toItem(row, row.operation_id),
      total: row.total,
      completed: row.completed,
      status: row.op_status,
    }));
  }

  async listItems(key: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage> {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    if (!row) return { items: [], hasNextPage: false };
    const after = options.after ?? -1;
    const rows = (options.status === undefined
      ? this.statements.items.all(row.op_id, after, options.first + 1)
      : this.statements.itemsByStatus.all(row.op_id, after, options.status, options.first + 1)) as ItemRow[];
    return { items: rows.slice(0, options.first).map((item) => toItem(item, row.id)), hasNextPage: rows.length > options.first };
  }

  async listOpenItems(key: string, account: string, options: { after?: number; first: number }): Promise<ItemRecord[]> {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    if (!row) return [];
    const rows = this.statements.openItems.all(row.op_id, account, options.after ?? -1, options.first) as ItemRow[];
    return rows.map((item) => toItem(item, row.id));
  }

  async latestItems(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    const result = new Map<string, ItemRecord>();
    for (const videoId of videoIds) {
      const row = this.statements.latestItem.get(videoId, tenant) as (ItemRow & { operation_id: string }) | undefined;
      if (row) result.set(videoId, toItem(row, row.operation_id));
    }
    return result;
  }

  async listUnfinishedOperations(): Promise<OperationRecord[]> {
    return (this.statements.unfinished.all() as OperationRow[]).map(toOperation);
  }

  async hasDelivery(account: string, deliveryId: string): Promise<boolean> {
    return this.statements.delivery.get(account, deliveryId) !== undefined;
  }

  async recordDelivery(account: string, deliveryId: string, at: Date): Promise<boolean> {
    return this.statements.insertDelivery.run(account, deliveryId, at.getTime()).changes === 1;
  }

  async purgeFinishedBefore(cutoff: Date): Promise<number> {
    return this.db.transaction(() => {
      this.statements.purgeDeliveries.run(cutoff.getTime());
      return this.statements.purge.run(cutoff.getTime()).changes;
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private requireOpId(key: string): number {
    const row = this.statements.operationByKey.get(key) as OperationRow | undefined;
    if (!row) throw new Error(`Unknown operation ${key.replace('\u001f', '/')}`);
    return row.op_id;
  }
}

function prepare(db: Database) {
  const statement = (sql: string): Statement => db.prepare(sql);
  return {
    insertOperation: statement(
      `INSERT INTO operations (key, tenant, id, status, fingerprint, accounts, total, pending, created_at)
       VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)`,
    ),
    insertItem: statement(
      `INSERT INTO items (op_id, position, video_id, account, native_id, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    operationByKey: statement(`SELECT * FROM operations WHERE key = ?`),
    operationById: statement(`SELECT * FROM operations WHERE op_id = ?`),
    // The planner cannot know a json_each list is short, so these name the index: one lookup per id, not a scan.
    itemsByVideos: statement(
      `SELECT i.* FROM json_each(?) AS j CROSS JOIN items AS i WHERE i.op_id = ? AND i.video_id = j.value`,
    ),
    markAttempt: statement(
      `UPDATE items INDEXED BY items_by_video SET attempts = attempts + 1, ambiguous = 1
       WHERE op_id = ? AND video_id IN (SELECT value FROM json_each(?))`,
    ),
    clearAmbiguous: statement(
      `UPDATE items INDEXED BY items_by_video SET ambiguous = 0 WHERE op_id = ? AND video_id IN (SELECT value FROM json_each(?))`,
    ),
    updateItem: statement(
      `UPDATE items SET status = ?, error = ?, ambiguous = ?, restorable_until = ?, confirmed_at = ?, updated_at = ?
       WHERE op_id = ? AND position = ?`,
    ),
    insertEvent: statement(
      `INSERT INTO events (op_id, sequence, position, status, error, attempts, restorable_until, confirmed_at, updated_at, completed, op_status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateOperation: statement(
      `UPDATE operations SET status = ?, deleted = ?, not_found = ?, failed = ?, restored = ?, pending = ?, last_sequence = ?,
       finished_at = ? WHERE op_id = ?`,
    ),
    events: statement(
      `SELECT e.sequence, e.completed, e.op_status, e.status, e.error, e.attempts, e.restorable_until, e.confirmed_at, e.updated_at,
              i.op_id, i.position, i.video_id, i.account, i.native_id, 0 AS ambiguous, o.total, o.id AS operation_id
       FROM operations o JOIN events e ON e.op_id = o.op_id JOIN items i ON i.op_id = e.op_id AND i.position = e.position
       WHERE o.key = ? AND e.sequence > ? ORDER BY e.sequence LIMIT ?`,
    ),
    items: statement(`SELECT * FROM items WHERE op_id = ? AND position > ? ORDER BY position LIMIT ?`),
    itemsByStatus: statement(`SELECT * FROM items WHERE op_id = ? AND position > ? AND status = ? ORDER BY position LIMIT ?`),
    openItems: statement(
      `SELECT * FROM items WHERE op_id = ? AND account = ? AND position > ? AND status IN ('PENDING', 'SCHEDULED')
       ORDER BY position LIMIT ?`,
    ),
    latestItem: statement(
      `SELECT i.*, o.id AS operation_id FROM items i JOIN operations o ON o.op_id = i.op_id
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

function toItem(row: ItemRow, operationId: string): ItemRecord {
  return {
    operationId,
    videoId: row.video_id,
    account: row.account,
    nativeId: row.native_id,
    status: row.status,
    error: row.error === null ? null : (JSON.parse(row.error) as ItemError),
    attempts: row.attempts,
    ambiguous: row.ambiguous === 1,
    restorableUntil: row.restorable_until === null ? null : new Date(row.restorable_until),
    confirmedAt: row.confirmed_at === null ? null : new Date(row.confirmed_at),
    updatedAt: new Date(row.updated_at),
    position: row.position,
  };
}
