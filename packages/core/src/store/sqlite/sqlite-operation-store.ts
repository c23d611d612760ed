import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ItemRecord, ItemStatus, OperationRecord, OperationStatus, ProgressEvent } from '../../model/operation.js';
import { discoveredEvents, nextDiscovery } from '../discovery-change.js';
import { cancelledUpdate, isCancellable, restoredUpdate, settleOperation } from '../item-change.js';
import type {
  CancelResult,
  DiscoveredPage,
  DiscoveryResult,
  NewItem,
  ItemPage,
  ItemUpdate,
  NewOperation,
  OpenItemRecord,
  OperationCursor,
  OperationPage,
  OperationStore,
} from '../operation-store.js';
import type { LearnedRate, LearnedRateStore } from '../learned-rate-store.js';
import { unknownOperationError } from '../store-errors.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { openSqliteDatabase } from './sqlite-database.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { SqliteItemBatch } from './sqlite-item-batch.js';
import { journalOpenError, journalWriteError } from './sqlite-journal-errors.js';
import { insertItems, insertOperation } from './sqlite-operation-insert.js';
import {
  toItemRecord,
  toLearnedRate,
  toLearnedRateRow,
  toDiscoveryWrite,
  toOpenItem,
  toOperationRecord,
  toOperationState,
  toProgressEvent,
  type OperationState,
} from './sqlite-rows.js';
import { prepareStatements, type SqliteStatements } from './sqlite-statements.js';

export interface SqliteOperationStoreOptions {
  /** A file path, or ':memory:'. Parent folders are created. */
  path: string;
  /**
   * 'normal' (default) survives a crash or kill of the process, which is what resuming needs; 'full' also survives
   * power loss, at the price of an fsync on every commit.
   */
  synchronous?: 'normal' | 'full';
  /**
   * A cap on the journal file's size, in bytes (SQLite's max_page_count): a write beyond it fails as on a full disk,
   * and goes through once a purge has freed room. Default: none.
   */
  maxSizeBytes?: number;
}

/** Operation row ids remembered at most; the map starts over beyond this. */
const OP_ID_CACHE_SIZE = 10_000;

/**
 * The durable journal: one SQLite file in WAL mode. Every write runs in a group commit (see SqliteGroupCommit) and
 * applies whole or not at all, so the journal always says exactly what was done up to the last commit, whatever kills
 * the process, and a write's promise settles only after its commit. Writes touch a batch's rows with one statement
 * each where SQLite can walk them as a range (see SqliteItemBatch).
 */
export class SqliteOperationStore implements OperationStore, LearnedRateStore {
  private readonly db: Database;
  private readonly statements: SqliteStatements;
  private readonly writes: SqliteGroupCommit;
  private readonly checkpointer: SqliteCheckpointer;
  private readonly batch: SqliteItemBatch;
  private readonly opIds = new Map<string, number>();

  constructor(options: SqliteOperationStoreOptions) {
    const file = options.path === ':memory:' ? options.path : path.resolve(options.path);
    this.db = openSqliteDatabase(file, {
      synchronous: options.synchronous ?? 'normal',
      maxSizeBytes: options.maxSizeBytes,
    });
    try {
      this.statements = prepareStatements(this.db);
    } catch (error) {
      // Preparing reads the schema: the first place a damaged file shows.
      this.db.close();
      throw journalOpenError(error, file);
    }
    this.checkpointer = new SqliteCheckpointer(this.db);
    this.writes = new SqliteGroupCommit(this.db, {
      onCommit: () => this.checkpointer.committed(),
      failure: (error) => journalWriteError(error, file),
    });
    this.batch = new SqliteItemBatch(this.statements, this.writes.savepoint);
  }

  createOperation(operation: NewOperation): Promise<OperationRecord> {
    return this.writes.enqueue(() => insertOperation(this.statements, operation));
  }

  async getOperation(key: string): Promise<OperationRecord | null> {
    const row = this.statements.operationByKey.get(key);
    return row ? toOperationRecord(row) : null;
  }

  appendDiscovered(key: string, page: DiscoveredPage): Promise<DiscoveryResult> {
    return this.writes.enqueue(() => {
      const row = this.statements.operationByKey.get(key);
      if (!row) throw unknownOperationError(key);
      const operation = toOperationRecord(row);
      const { selection } = operation;
      if (!selection || operation.status !== 'RUNNING') return { operation, events: [] };
      let fresh: NewItem[] = [];
      if (!('error' in page) && selection.discovery === 'DISCOVERING') {
        const unique = [...new Map(page.videos.map((video) => [video.videoId, video])).values()];
        const known = new Set(
          this.statements.knownVideoIds.all({
            opId: row.op_id,
            videoIds: JSON.stringify(unique.map((video) => video.videoId)),
          }),
        );
        fresh = unique.filter((video) => !known.has(video.videoId));
      }
      const { take, next } = nextDiscovery(selection, operation.total, fresh.length, page);
      const taken = fresh.slice(0, take);
      const at = page.at.getTime();
      const first = operation.total;
      if (taken.length > 0) {
        insertItems(this.statements, row.op_id, taken, first, at);
        this.statements.insertDiscoveredEvents.run({
          opId: row.op_id,
          sequence: operation.lastSequence + 1,
          completed: operation.total - operation.pending,
          from: first,
          to: first + taken.length - 1,
        });
      }
      const state = {
        ...toOperationState(row),
        total: operation.total + taken.length,
        pending: operation.pending + taken.length,
        lastSequence: operation.lastSequence + taken.length,
        discovery: next.discovery,
      };
      if (settleOperation(state)) state.finishedAt = at;
      this.statements.updateDiscovery.run({ ...state, ...toDiscoveryWrite(next) });
      const events = discoveredEvents(operation, taken, {
        at: page.at,
        completed: operation.total - operation.pending,
        discovery: next.discovery,
      });
      const after = this.statements.operationByKey.get(key);
      if (!after) throw unknownOperationError(key);
      return { operation: toOperationRecord(after), events };
    });
  }

  markAttempt(key: string, positions: readonly number[]): Promise<number[]> {
    return this.writes.enqueue(() => {
      const opId = this.requireOpId(key);
      if (this.statements.markAttempt.run({ opId }, positions) === positions.length) return [...positions];
      // Some were closed meanwhile: the ones still open now are the ones just marked.
      const open = new Set(this.statements.openAt.all({ opId }, positions).map((row) => row.position));
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
    return this.writes.enqueue(() => this.batch.record(this.operationState(key), updates), { atomic: true });
  }

  cancelScheduled(key: string, position: number, at: Date): Promise<ProgressEvent | null> {
    return this.writes.enqueue(
      () => {
        const [item] = this.statements.itemsAt.all({ opId: this.requireOpId(key) }, [position]);
        if (!item || !isCancellable(item.status, item.attempts)) return null;
        return this.batch.record(this.operationState(key), [restoredUpdate(position, at)])[0] ?? null;
      },
      { atomic: true },
    );
  }

  cancelOperation(key: string, at: Date): Promise<CancelResult | null> {
    return this.writes.enqueue(
      () => {
        const state = this.statements.operationState.get(key);
        if (!state) return null;
        let events: ProgressEvent[] = [];
        if (state.status === 'RUNNING') {
          const operation = toOperationState(state);
          if (operation.discovery === 'DISCOVERING') {
            // Discovery stops in the same write: it journals nothing more, and the operation can finish.
            operation.discovery = 'CANCELLED';
            if (settleOperation(operation)) operation.finishedAt = at.getTime();
            this.statements.cancelDiscovery.run(operation);
          }
          const positions = this.statements.cancellable.all({ opId: state.op_id });
          events = this.batch.record(
            operation,
            positions.map((position) => cancelledUpdate(position, at)),
          );
        }
        const row = this.statements.operationByKey.get(key);
        if (!row) throw unknownOperationError(key);
        return { operation: toOperationRecord(row), events };
      },
      { atomic: true },
    );
  }

  cancelUnsent(key: string, positions: readonly number[], at: Date): Promise<ProgressEvent[]> {
    return this.writes.enqueue(
      () => {
        const sorted = [...positions].sort((a, b) => a - b);
        this.statements.unmarkAttempt.run({ opId: this.requireOpId(key) }, sorted);
        return this.batch.record(
          this.operationState(key),
          sorted.map((position) => cancelledUpdate(position, at)),
        );
      },
      { atomic: true },
    );
  }

  async listOperations(
    tenant: string,
    options: { first: number; after?: OperationCursor; status?: OperationStatus },
  ): Promise<OperationPage> {
    const { after, status } = options;
    const page = { tenant, limit: options.first + 1 };
    const from = after ? { ...page, createdAt: after.createdAt.getTime(), id: after.id } : undefined;
    let rows;
    if (status === undefined) {
      rows = from ? this.statements.operationsPageAfter.all(from) : this.statements.operationsPage.all(page);
    } else {
      rows = from
        ? this.statements.operationsPageByStatusAfter.all({ ...from, status })
        : this.statements.operationsPageByStatus.all({ ...page, status });
    }
    return {
      operations: rows.slice(0, options.first).map(toOperationRecord),
      hasNextPage: rows.length > options.first,
    };
  }

  async listEvents(key: string, after: number, limit: number): Promise<ProgressEvent[]> {
    const operation = this.statements.operationByKey.get(key);
    if (!operation) return [];
    return this.statements.events
      .all({ opId: operation.op_id, after, limit })
      .map((row) => toProgressEvent(row, operation));
  }

  async listItems(key: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage> {
    const operation = this.statements.operationByKey.get(key);
    if (!operation) return { items: [], hasNextPage: false };
    const page = { opId: operation.op_id, after: options.after ?? -1, limit: options.first + 1 };
    const rows =
      options.status === undefined
        ? this.statements.items.all(page)
        : this.statements.itemsByStatus.all({ ...page, status: options.status });
    return {
      items: rows.slice(0, options.first).map((row) => toItemRecord(row, operation.id)),
      hasNextPage: rows.length > options.first,
    };
  }

  async listOpenItems(
    key: string,
    account: string,
    options: { after?: number; first: number },
  ): Promise<OpenItemRecord[]> {
    const operation = this.statements.operationByKey.get(key);
    if (!operation) return [];
    const page = { opId: operation.op_id, after: options.after ?? -1, first: options.first };
    const tuples =
      operation.accounts === JSON.stringify([account])
        ? this.statements.openItemsOfAll.all(page)
        : this.statements.openItems.all({ ...page, prefix: `${account}:` });
    return tuples.map((tuple) => toOpenItem(tuple, operation.id, account));
  }

  async latestItems(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    const result = new Map<string, ItemRecord>();
    for (const videoId of videoIds) {
      const row = this.statements.latestItem.get({ videoId, tenant });
      if (row) result.set(videoId, toItemRecord(row, row.operation_id));
    }
    return result;
  }

  async listUnfinishedOperations(): Promise<OperationRecord[]> {
    return this.statements.unfinished.all().map(toOperationRecord);
  }

  async hasDelivery(account: string, deliveryId: string): Promise<boolean> {
    return this.statements.delivery.get({ account, deliveryId }) !== undefined;
  }

  recordDelivery(account: string, deliveryId: string, at: Date): Promise<boolean> {
    return this.writes.enqueue(
      () => this.statements.insertDelivery.run({ account, deliveryId, receivedAt: at.getTime() }).changes === 1,
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

  async listLearnedRates(): Promise<LearnedRate[]> {
    return this.statements.learnedRates.all().map(toLearnedRate);
  }

  saveLearnedRate(rate: LearnedRate): Promise<void> {
    return this.writes.enqueue(
      () => {
        this.statements.saveLearnedRate.run(toLearnedRateRow(rate));
      },
      { atomic: true },
    );
  }

  /** Rewrites the schema version as it is: a commit (page 1 into the WAL) that needs the disk, the lock and write access. */
  probeWrite(): Promise<void> {
    return this.writes.enqueue(
      () => {
        this.db.pragma(`user_version = ${Number(this.db.pragma('user_version', { simple: true }))}`);
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

  private operationState(key: string): OperationState {
    const row = this.statements.operationState.get(key);
    if (!row) throw unknownOperationError(key);
    return toOperationState(row);
  }

  /** Row ids of operations never change, and only a purge removes one: the one lookup worth remembering. */
  private requireOpId(key: string): number {
    const known = this.opIds.get(key);
    if (known !== undefined) return known;
    const opId = this.statements.opIdByKey.get(key);
    if (opId === undefined) throw unknownOperationError(key);
    if (this.opIds.size >= OP_ID_CACHE_SIZE) this.opIds.clear();
    this.opIds.set(key, opId);
    return opId;
  }
}
