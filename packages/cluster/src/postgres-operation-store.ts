import {
  OperationExistsError,
  TooManyOperationsError,
  cancelledUpdate,
  isCancellable,
  restoredUpdate,
  unknownOperationError,
  newSelectionRecord,
  discoveredEvents,
  nextDiscovery,
  settleOperation,
  operationKey,
  LeaseLostError,
  type ChunkLease,
  type DiscoveryLease,
  type FencedWrites,
  type WorkLeases,
  type CancelResult,
  type DiscoveredPage,
  type DiscoveryResult,
  type ItemPage,
  type ItemRecord,
  type ItemStatus,
  type ItemUpdate,
  type LearnedRate,
  type LearnedRateStore,
  type NewItem,
  type NewOperation,
  type OpenItemRecord,
  type OperationCursor,
  type OperationPage,
  type OperationRecord,
  type OperationStatus,
  type OperationStore,
  type ProgressEvent,
} from '@unreel/core';
import pg, { type PoolClient } from 'pg';
import { AT_POSITIONS, positionBounds, recordItemUpdates } from './postgres-item-batch.js';
import { journalError } from './postgres-journal-errors.js';
import { migrate, quoteIdentifier } from './postgres-migrations.js';
import {
  ITEM_COLUMNS,
  errorText,
  selectionJson,
  toItemRecord,
  toLearnedRate,
  toOpenItem,
  toOperationRecord,
  toOperationState,
  toProgressEvent,
  type EventRow,
  type ItemRow,
  type LearnedRateRow,
  type OperationRow,
  type OperationState,
} from './postgres-rows.js';
import { describeDatabase } from './postgres-url.js';
import {
  CHUNK_FENCE,
  CHUNK_ITEMS,
  CHUNK_UNCHUNKED,
  CHUNKS_SETTLED,
  CLAIM_CHUNK,
  CLAIM_DISCOVERY,
  DISCOVERY_FENCE,
  FINISH_CHUNK,
  RELEASE_CHUNKS,
  RELEASE_DISCOVERIES,
  RELEASE_DISCOVERY,
  RENEW_CHUNK,
  RENEW_DISCOVERY,
  chunkArrays,
  insertChunks,
  type ClaimedChunkRow,
} from './postgres-work-leases.js';
import { PostgresWriteQueue } from './postgres-write-queue.js';

export interface PostgresOperationStoreOptions {
  /** `postgres://user:password@host:port/database`; the password is never repeated in errors. */
  url: string;
  /** Connections at most (default 10): one runs the writes, the others serve reads. */
  poolSize?: number;
  /** The schema that holds the journal's tables (default `public`); created when missing. */
  schema?: string;
  /** How long to wait for a connection before the call fails as unavailable (default 5 s). */
  connectionTimeoutMs?: number;
  /**
   * PostgreSQL ends a session that sits inside a transaction this long without a statement (default 5 s), releasing its
   * locks. A fenced write holds its chunk's row lock across round trips: a replica frozen in the middle (SIGSTOP, a
   * long GC pause, a VM migration) would otherwise keep the chunk from every other replica's SKIP LOCKED claim for as
   * long as it is frozen, its expired lease notwithstanding.
   */
  idleInTransactionTimeoutMs?: number;
}

/** Advisory lock namespace (first key) for a tenant's running-operations count; the second key is the tenant's hash. */
const TENANT_LOCK = 0x74656e61; // "tena"
/** Advisory lock namespace (first key) for chunking operations journaled without `cluster`. */
const ADOPT_LOCK = 0x61646f70; // "adop"
/** Advisory lock namespace (first key) for the retention purge; the second key is the schema's hash. */
const PURGE_LOCK = 0x70757267; // "purg"

/** The one OPEN_ITEM_STATUSES condition, in SQL. */
const OPEN = `status IN ('PENDING', 'SCHEDULED')`;
/**
 * The same condition, for statements that address items by position: said as "not final" so that it does not match
 * items_open's predicate, and the planner walks the primary key to the positions instead of every open item of the
 * operation (which it picks when the table has no statistics yet, such as right after a large operation is created).
 */
const STILL_OPEN = `status NOT IN ('DELETED', 'NOT_FOUND', 'FAILED', 'RESTORED', 'CANCELLED')`;

/**
 * The journal in PostgreSQL (one replica for now). Writes go through one ordered queue that commits them in groups
 * (see PostgresWriteQueue), each applied whole or not at all; reads use the rest of the pool. A lost or refused
 * connection rejects as core's JournalUnavailableError, so the engine pauses work until the database is back.
 *
 * The constructor connects nowhere: the first call (or `open`) applies the migrations, under an advisory lock.
 */
export class PostgresOperationStore implements OperationStore, LearnedRateStore, WorkLeases {
  /** The database as logs and errors name it: host, port and database, never the password. */
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly writes: PostgresWriteQueue;
  private readonly schema: string;
  /** Operation keys to row ids (see byOperation). */
  private readonly opIds = new Map<string, string>();
  private migrated: Promise<void> | undefined;
  private foundVersion: number | undefined;

  /** A store whose schema is ready: connects and migrates now, so a bad URL or an unreachable database fails here. */
  static async open(options: PostgresOperationStoreOptions): Promise<PostgresOperationStore> {
    const store = new PostgresOperationStore(options);
    try {
      await store.ready();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  constructor(options: PostgresOperationStoreOptions) {
    this.schema = options.schema ?? 'public';
    this.description = describeDatabase(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      options: `-c search_path=${quoteIdentifier(this.schema)} -c idle_in_transaction_session_timeout=${Math.max(1, Math.floor(options.idleInTransactionTimeoutMs ?? 5_000))}`,
    });
    // An idle connection the server drops (a restart) is an 'error' on the pool: without a listener it would end the
    // process. The next call finds out through its own connection and rejects as unavailable.
    this.pool.on('error', () => undefined);
    this.writes = new PostgresWriteQueue(this.pool, { failure: (error) => journalError(error, this.description) });
  }

  /** Applies the migrations once; every call waits for it. */
  ready(): Promise<void> {
    this.migrated ??= (async () => {
      const client = await this.pool.connect();
      // As in the write queue: a connection lost mid-migration rejects the statement; unheard, it would end the process.
      const ignore = (): void => {};
      client.on('error', ignore);
      try {
        this.foundVersion = await migrate(client, this.schema);
      } finally {
        client.removeListener('error', ignore);
        client.release();
      }
    })().catch((error: unknown) => {
      this.migrated = undefined;
      throw journalError(error, this.description);
    });
    return this.migrated;
  }

  /** Whether this store's start created the journal's tables (none were there); undefined before `ready`. */
  get created(): boolean | undefined {
    return this.foundVersion === undefined ? undefined : this.foundVersion === 0;
  }

  createOperation(operation: NewOperation): Promise<OperationRecord> {
    return this.write(async (client) => {
      for (const item of operation.items) assertVideoId(item);
      const selection = operation.selection ? newSelectionRecord(operation.selection) : null;
      const chunks = chunkArrays(operation.items, operation.chunks);
      if (operation.maxRunning !== undefined) {
        // Replicas creating this tenant's operations take turns until commit, so none slips under the limit.
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TENANT_LOCK, operation.tenant]);
        // A repeat of an operation already journaled is not a new one: the insert below finds it taken.
        const { rows } = await client.query<{ running: number; taken: boolean }>(
          `SELECT count(*)::int AS running, bool_or(id = $2) AS taken FROM operations
           WHERE tenant = $1 AND (status = 'RUNNING' OR id = $2)`,
          [operation.tenant, operation.id],
        );
        const { running = 0, taken = false } = rows[0] ?? {};
        if (!taken && running >= operation.maxRunning) throw new TooManyOperationsError(operation.maxRunning);
      }
      // Insert-or-nothing on the idempotency key, and the items with it, in one statement: nothing of a taken id is
      // written, and the engine compares fingerprints with the operation it then reads.
      const { rows } = await client.query<OperationRow>(
        `WITH operation AS (
           INSERT INTO operations (tenant, id, status, fingerprint, accounts, when_blocked, total, pending, created_at,
             selection, discovery, discovery_pass, discovery_found)
           VALUES ($1, $2, 'RUNNING', $3, $4, $5, $6, $6, $7, $11, $12, $13, $14)
           ON CONFLICT ON CONSTRAINT operations_idempotency DO NOTHING
           RETURNING *
         ), items AS (
           INSERT INTO items (op_id, position, video_id, account, status, updated_at)
           SELECT operation.op_id, item.ordinality - 1, item.video_id, item.account, item.status, $7
           FROM operation, unnest($8::text[], $9::text[], $10::text[]) WITH ORDINALITY
             AS item (video_id, account, status, ordinality)
         ), chunks AS (
           INSERT INTO chunks (op_id, account, positions, not_before)
           SELECT operation.op_id, min(item.account), array_agg(item.ordinality::int - 1 ORDER BY item.ordinality),
             min(($16::timestamptz[])[item.chunk + 1])
           FROM operation, unnest($9::text[], $15::int[]) WITH ORDINALITY AS item (account, chunk, ordinality)
           WHERE item.chunk IS NOT NULL
           GROUP BY operation.op_id, item.chunk
         )
         SELECT * FROM operation`,
        [
          operation.tenant,
          operation.id,
          operation.fingerprint,
          [
            ...new Set([
              ...(operation.selection ? [operation.selection.selection.account] : []),
              ...operation.items.map((item) => item.account),
            ]),
          ],
          operation.whenBlocked ?? null,
          operation.items.length,
          operation.createdAt,
          operation.items.map((item) => item.videoId),
          operation.items.map((item) => item.account),
          operation.items.map((item) => item.status),
          selection ? selectionJson(selection) : null,
          selection?.discovery ?? null,
          selection?.pass ?? null,
          selection?.passFound ?? null,
          chunks.ordinals,
          chunks.notBefore,
        ],
      );
      const row = rows[0];
      if (!row) throw new OperationExistsError(`Operation ${operation.id} already exists`);
      return toOperationRecord(row);
    });
  }

  async getOperation(key: string): Promise<OperationRecord | null> {
    const row = await this.operationRow(key);
    return row ? toOperationRecord(row) : null;
  }

  appendDiscovered(key: string, page: DiscoveredPage): Promise<DiscoveryResult> {
    return this.write((client) => this.appendDiscoveredIn(client, key, page));
  }

  private async appendDiscoveredIn(
    client: PoolClient,
    key: string,
    page: DiscoveredPage,
    lease?: DiscoveryLease,
  ): Promise<DiscoveryResult> {
    const row = await this.operationRow(key, client, true);
    if (!row) throw unknownOperationError(key);
    if (lease) {
      const fence = await client.query(DISCOVERY_FENCE, [row.op_id, lease.token]);
      if (fence.rowCount !== 1) throw new LeaseLostError(`Discovery lease of ${lease.operationId} lost`);
    }
    const operation = toOperationRecord(row);
    const { selection } = operation;
    if (!selection || operation.status !== 'RUNNING') return { operation, events: [] };
    let fresh: NewItem[] = [];
    if (!('error' in page) && selection.discovery === 'DISCOVERING') {
      const unique = [...new Map(page.videos.map((video) => [video.videoId, video])).values()];
      for (const video of unique) assertVideoId(video);
      // Walks items_latest (video_id, op_id): one probe per listed video.
      const known = await client.query<{ video_id: string }>(
        `SELECT video_id FROM items WHERE video_id = ANY($2::text[]) AND op_id = $1`,
        [row.op_id, unique.map((video) => video.videoId)],
      );
      const seen = new Set(known.rows.map((video) => video.video_id));
      fresh = unique.filter((video) => !seen.has(video.videoId));
    }
    const { take, next } = nextDiscovery(selection, operation.total, fresh.length, page);
    const taken = fresh.slice(0, take);
    const first = operation.total;
    const completed = operation.total - operation.pending;
    const state = {
      ...toOperationState(row),
      total: operation.total + taken.length,
      pending: operation.pending + taken.length,
      lastSequence: operation.lastSequence + taken.length,
      discovery: next.discovery,
    };
    if (settleOperation(state)) state.finishedAt = page.at;
    // Items, their events and the operation in one statement; the operation's row is locked, so the sequence stays
    // gapless whoever else writes events.
    const { rows: after } = await client.query<OperationRow>(
      `WITH new_items AS (
         INSERT INTO items (op_id, position, video_id, account, status, updated_at)
         SELECT $1, $2 + item.ordinality - 1, item.video_id, item.account, item.status, $5
         FROM unnest($3::text[], $4::text[], $6::text[]) WITH ORDINALITY AS item (video_id, account, status, ordinality)
       ), new_events AS (
         INSERT INTO events (op_id, sequence, position, status, attempts, updated_at, completed, op_status)
         SELECT $1, $7 + item.ordinality, $2 + item.ordinality - 1, item.status, 0, $5, $8, 'RUNNING'
         FROM unnest($6::text[]) WITH ORDINALITY AS item (status, ordinality)
       )
       UPDATE operations SET discovery = $9, discovery_cursor = $10, discovery_pass = $11, discovery_found = $12,
         discovery_error = $13, status = $14, total = $15, pending = $16, last_sequence = $17, finished_at = $18
       WHERE op_id = $1
       RETURNING *`,
      [
        row.op_id,
        first,
        taken.map((video) => video.videoId),
        taken.map((video) => video.account),
        page.at,
        taken.map((video) => video.status),
        operation.lastSequence,
        completed,
        next.discovery,
        next.cursor,
        next.pass,
        next.passFound,
        errorText(next.error),
        state.status,
        state.total,
        state.pending,
        state.lastSequence,
        state.finishedAt,
      ],
    );
    const updated = after[0];
    if (!updated) throw unknownOperationError(key);
    if (taken.length > 0 && !('error' in page)) {
      // A pass after the first is quiet: its chunks wait until it ends (see runDiscovery), then go all at once.
      await insertChunks(client, row.op_id, first, taken, chunkArrays(taken, page.chunks), selection.pass > 1);
    }
    if (next.pass !== selection.pass || next.discovery !== 'DISCOVERING') {
      await client.query(`UPDATE chunks SET held = false WHERE op_id = $1 AND held`, [row.op_id]);
    }
    const events = discoveredEvents(operation, taken, { at: page.at, completed, discovery: next.discovery });
    return { operation: toOperationRecord(updated), events };
  }

  markAttempt(key: string, positions: readonly number[]): Promise<number[]> {
    return this.write((client) => this.markAttemptIn(client, key, positions));
  }

  private async markAttemptIn(client: PoolClient, key: string, positions: readonly number[]): Promise<number[]> {
    const rows = await this.byOperation(
      client,
      key,
      async (opId) =>
        (
          await client.query<{ position: number }>(
            `UPDATE items SET attempts = attempts + 1, ambiguous = true
             WHERE op_id = $1 AND ${AT_POSITIONS} AND ${STILL_OPEN} RETURNING position`,
            [opId, positions, ...positionBounds(positions)],
          )
        ).rows,
      (marked) => marked.length === 0,
    );
    if (rows.length === positions.length) return [...positions];
    // Some were closed meanwhile: the ones just marked are the ones still open.
    const marked = new Set(rows.map((row) => row.position));
    return positions.filter((position) => marked.has(position));
  }

  clearAmbiguous(key: string, positions: readonly number[]): Promise<void> {
    return this.write((client) => this.clearAmbiguousIn(client, key, positions));
  }

  private async clearAmbiguousIn(client: PoolClient, key: string, positions: readonly number[]): Promise<void> {
    await this.byOperation(
      client,
      key,
      async (opId) =>
        (
          await client.query(`UPDATE items SET ambiguous = false WHERE op_id = $1 AND ${AT_POSITIONS}`, [
            opId,
            positions,
            ...positionBounds(positions),
          ])
        ).rowCount ?? 0,
      (changed) => changed === 0,
    );
  }

  recordUpdates(key: string, updates: readonly ItemUpdate[]): Promise<ProgressEvent[]> {
    return this.write(async (client) => recordItemUpdates(client, await this.lockOperation(client, key), updates));
  }

  cancelScheduled(key: string, position: number, at: Date): Promise<ProgressEvent | null> {
    return this.write(async (client) => {
      const state = await this.lockOperation(client, key);
      const { rows } = await client.query<{ status: ItemStatus; attempts: number }>(
        `SELECT status, attempts FROM items WHERE op_id = $1 AND position = $2 FOR UPDATE`,
        [state.opId, position],
      );
      const item = rows[0];
      if (!item || !isCancellable(item.status, item.attempts)) return null;
      return (await recordItemUpdates(client, state, [restoredUpdate(position, at)]))[0] ?? null;
    });
  }

  cancelOperation(key: string, at: Date): Promise<CancelResult | null> {
    return this.write(async (client) => {
      const row = await this.operationRow(key, client, true);
      if (!row) return null;
      if (row.status !== 'RUNNING') return { operation: toOperationRecord(row), events: [] };
      const operation = toOperationState(row);
      if (operation.discovery === 'DISCOVERING') {
        // Discovery stops in the same write: it journals nothing more, and the operation can finish.
        operation.discovery = 'CANCELLED';
        if (settleOperation(operation)) operation.finishedAt = at;
        await client.query(
          `UPDATE operations SET discovery = 'CANCELLED', status = $2, finished_at = $3 WHERE op_id = $1`,
          [operation.opId, operation.status, operation.finishedAt],
        );
      }
      const { rows } = await client.query<{ position: number }>(
        `SELECT position FROM items WHERE op_id = $1 AND ${OPEN} AND NOT ambiguous ORDER BY position`,
        [row.op_id],
      );
      const events = await recordItemUpdates(
        client,
        operation,
        rows.map(({ position }) => cancelledUpdate(position, at)),
      );
      const after = await this.operationRow(key, client);
      if (!after) throw unknownOperationError(key);
      return { operation: toOperationRecord(after), events };
    });
  }

  cancelUnsent(key: string, positions: readonly number[], at: Date): Promise<ProgressEvent[]> {
    return this.write((client) => this.cancelUnsentIn(client, key, positions, at));
  }

  private async cancelUnsentIn(
    client: PoolClient,
    key: string,
    positions: readonly number[],
    at: Date,
  ): Promise<ProgressEvent[]> {
    const state = await this.lockOperation(client, key);
    const sorted = [...positions].sort((a, b) => a - b);
    await client.query(
      `UPDATE items SET attempts = greatest(attempts - 1, 0), ambiguous = false
       WHERE op_id = $1 AND ${AT_POSITIONS} AND ${STILL_OPEN}`,
      [state.opId, sorted, ...positionBounds(sorted)],
    );
    return recordItemUpdates(
      client,
      state,
      sorted.map((position) => cancelledUpdate(position, at)),
    );
  }

  async listOperations(
    tenant: string,
    options: { first: number; after?: OperationCursor; status?: OperationStatus },
  ): Promise<OperationPage> {
    const { after, status } = options;
    // Each shape walks operations_by_tenant or operations_by_tenant_status from where the page starts.
    const conditions = ['tenant = $1'];
    const params: unknown[] = [tenant, options.first + 1];
    if (status !== undefined) {
      params.push(status);
      conditions.push(`status = $${params.length}`);
    }
    if (after) {
      params.push(after.createdAt, after.id);
      conditions.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
    }
    const rows = await this.read<OperationRow>(
      `SELECT * FROM operations WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    return {
      operations: rows.slice(0, options.first).map(toOperationRecord),
      hasNextPage: rows.length > options.first,
    };
  }

  async listEvents(key: string, after: number, limit: number): Promise<ProgressEvent[]> {
    const operation = await this.operationRow(key);
    if (!operation) return [];
    const rows = await this.read<EventRow>(
      `SELECT e.sequence, e.position, i.video_id, i.account, e.status, e.error, e.attempts, e.restorable_until,
         e.confirmed_at, e.next_attempt_at, e.updated_at, e.completed, e.op_status
       FROM events e JOIN items i ON i.op_id = e.op_id AND i.position = e.position
       WHERE e.op_id = $1 AND e.sequence > $2 ORDER BY e.sequence LIMIT $3`,
      [operation.op_id, after, limit],
    );
    return rows.map((row) => toProgressEvent(row, operation));
  }

  async listItems(key: string, options: { after?: number; first: number; status?: ItemStatus }): Promise<ItemPage> {
    const operation = await this.operationRow(key);
    if (!operation) return { items: [], hasNextPage: false };
    const params: unknown[] = [operation.op_id, options.after ?? -1, options.first + 1];
    if (options.status !== undefined) params.push(options.status);
    const rows = await this.read<ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = $1 AND position > $2
       ${options.status === undefined ? '' : 'AND status = $4'} ORDER BY position LIMIT $3`,
      params,
    );
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
    const operation = await this.operationRow(key);
    if (!operation) return [];
    // Walks items_open, which holds only open items, one account's in position order.
    const rows = await this.read<ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE op_id = $1 AND account = $2 AND position > $3 AND ${OPEN}
       ORDER BY position LIMIT $4`,
      [operation.op_id, account, options.after ?? -1, options.first],
    );
    return rows.map((row) => toOpenItem(row, operation.id));
  }

  async latestItems(tenant: string, videoIds: readonly string[]): Promise<Map<string, ItemRecord>> {
    const rows = await this.read<ItemRow & { operation_id: string }>(
      `SELECT DISTINCT ON (i.video_id) ${ITEM_COLUMNS.split(', ')
        .map((column) => `i.${column}`)
        .join(', ')}, o.id AS operation_id
       FROM items i JOIN operations o ON o.op_id = i.op_id
       WHERE i.video_id = ANY($1::text[]) AND o.tenant = $2 ORDER BY i.video_id, i.op_id DESC`,
      [videoIds, tenant],
    );
    return new Map(rows.map((row) => [row.video_id, toItemRecord(row, row.operation_id)]));
  }

  async listUnfinishedOperations(): Promise<OperationRecord[]> {
    return (
      await this.read<OperationRow>(
        `SELECT * FROM operations WHERE pending > 0 OR discovery = 'DISCOVERING' ORDER BY op_id`,
      )
    ).map(toOperationRecord);
  }

  async hasDelivery(account: string, deliveryId: string): Promise<boolean> {
    const rows = await this.read(`SELECT 1 FROM deliveries WHERE account = $1 AND delivery_id = $2`, [
      account,
      deliveryId,
    ]);
    return rows.length > 0;
  }

  recordDelivery(account: string, deliveryId: string, at: Date): Promise<boolean> {
    return this.write(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO deliveries (account, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [account, deliveryId, at],
      );
      return rowCount === 1;
    });
  }

  purgeFinishedBefore(cutoff: Date): Promise<number> {
    return this.write(async (client) => {
      // One replica purges at a time; the others find the lock taken and leave it to that one.
      const { rows: lock } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema())) AS locked',
        [PURGE_LOCK],
      );
      if (!lock[0]?.locked) return 0;
      this.opIds.clear();
      await client.query(`DELETE FROM deliveries WHERE received_at < $1`, [cutoff]);
      // Items go with their operation (ON DELETE CASCADE); events have no foreign key, so they go here.
      const { rows } = await client.query<{ op_id: string }>(
        `DELETE FROM operations WHERE finished_at IS NOT NULL AND finished_at < $1 AND pending = 0 RETURNING op_id`,
        [cutoff],
      );
      if (rows.length === 0) return 0;
      // A statement of its own, so a snapshot of its own: a restore or a late confirmation that held an operation's
      // row while the delete above waited for it committed its events after that statement's snapshot, and one
      // statement would leave those events behind, belonging to no operation.
      await client.query(`DELETE FROM events WHERE op_id = ANY($1::bigint[])`, [rows.map((row) => row.op_id)]);
      return rows.length;
    });
  }

  async listLearnedRates(): Promise<LearnedRate[]> {
    return (
      await this.read<LearnedRateRow>(
        `SELECT account, requests_per_second, configured_requests_per_second, learned_at FROM account_rates`,
      )
    ).map(toLearnedRate);
  }

  /** Replicas journal the shared rate's changes each as it wins them: a change that arrives late loses to a newer one. */
  saveLearnedRate(rate: LearnedRate): Promise<void> {
    return this.write(async (client) => {
      await client.query(
        `INSERT INTO account_rates (account, requests_per_second, configured_requests_per_second, learned_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (account) DO UPDATE SET requests_per_second = excluded.requests_per_second,
           configured_requests_per_second = excluded.configured_requests_per_second, learned_at = excluded.learned_at
         WHERE account_rates.learned_at <= excluded.learned_at`,
        [rate.account, rate.requestsPerSecond, rate.configuredRequestsPerSecond, rate.learnedAt],
      );
    });
  }

  async claimChunk(owner: string, accounts: readonly string[], leaseMs: number): Promise<ChunkLease | null> {
    const row = (await this.read<ClaimedChunkRow>(CLAIM_CHUNK, [owner, accounts, leaseMs]))[0];
    if (!row) return null;
    return {
      chunkId: row.chunk_id,
      token: row.lease_token,
      key: operationKey(row.tenant, row.id),
      tenant: row.tenant,
      operationId: row.id,
      account: row.account,
      positions: row.positions,
      expired: row.expired,
    };
  }

  async chunkItems(lease: ChunkLease): Promise<OpenItemRecord[]> {
    return (await this.read<ItemRow>(CHUNK_ITEMS, [lease.chunkId])).map((row) => toOpenItem(row, lease.operationId));
  }

  async renewLease(lease: ChunkLease, leaseMs: number): Promise<boolean> {
    // Straight to the pool, not through the write queue: a renewal must not wait behind a burst of writes.
    await this.ready();
    try {
      return (await this.pool.query(RENEW_CHUNK, [lease.chunkId, lease.token, leaseMs])).rowCount === 1;
    } catch (error) {
      throw journalError(error, this.description);
    }
  }

  finishChunk(lease: ChunkLease): Promise<boolean> {
    return this.write(
      async (client) => (await client.query(FINISH_CHUNK, [lease.chunkId, lease.token])).rowCount === 1,
    );
  }

  chunkUnchunked(accounts: readonly { account: string; batchSize: number; deleteDelayMs: number }[]): Promise<number> {
    return this.write(async (client) => {
      // Replicas starting together take turns: the second finds every running operation chunked.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [ADOPT_LOCK]);
      const { rowCount } = await client.query(CHUNK_UNCHUNKED, [
        accounts.map((account) => account.account),
        accounts.map((account) => Math.max(1, account.batchSize)),
        accounts.map((account) => account.deleteDelayMs),
      ]);
      return rowCount ?? 0;
    });
  }

  /** Resolves when the database answers a trivial query; rejects as JournalUnavailableError when it does not (readiness). */
  async ping(): Promise<void> {
    await this.read('SELECT 1');
  }

  releaseLeases(owner: string): Promise<number> {
    return this.write(async (client) => {
      const { rowCount } = await client.query(RELEASE_CHUNKS, [owner]);
      await client.query(RELEASE_DISCOVERIES, [owner]);
      return rowCount ?? 0;
    });
  }

  fencedWrites(lease: ChunkLease): FencedWrites {
    const fenced = <T>(write: (client: PoolClient) => Promise<T>): Promise<T> =>
      this.write(async (client) => {
        const fence = await client.query(CHUNK_FENCE, [lease.chunkId, lease.token]);
        if (fence.rowCount !== 1) throw new LeaseLostError(`Lease of chunk ${lease.chunkId} lost`);
        return write(client);
      });
    return {
      markAttempt: (key, positions) => fenced((client) => this.markAttemptIn(client, key, positions)),
      clearAmbiguous: (key, positions) => fenced((client) => this.clearAmbiguousIn(client, key, positions)),
      recordUpdates: (key, updates) =>
        fenced(async (client) => recordItemUpdates(client, await this.lockOperation(client, key), updates)),
      cancelUnsent: (key, positions, at) => fenced((client) => this.cancelUnsentIn(client, key, positions, at)),
    };
  }

  async claimDiscovery(owner: string, leaseMs: number): Promise<DiscoveryLease | null> {
    const row = (
      await this.read<{ tenant: string; id: string; discovery_token: string }>(CLAIM_DISCOVERY, [owner, leaseMs])
    )[0];
    if (!row) return null;
    return {
      token: row.discovery_token,
      key: operationKey(row.tenant, row.id),
      tenant: row.tenant,
      operationId: row.id,
    };
  }

  async renewDiscovery(lease: DiscoveryLease, leaseMs: number): Promise<boolean> {
    await this.ready();
    try {
      const { rowCount } = await this.pool.query(RENEW_DISCOVERY, [
        lease.tenant,
        lease.operationId,
        lease.token,
        leaseMs,
      ]);
      return rowCount === 1;
    } catch (error) {
      throw journalError(error, this.description);
    }
  }

  releaseDiscovery(lease: DiscoveryLease): Promise<void> {
    return this.write(async (client) => {
      await client.query(RELEASE_DISCOVERY, [lease.tenant, lease.operationId, lease.token]);
    });
  }

  fencedDiscovery(lease: DiscoveryLease): Pick<OperationStore, 'appendDiscovered'> {
    return {
      appendDiscovered: (key, page) => this.write((client) => this.appendDiscoveredIn(client, key, page, lease)),
    };
  }

  async chunksSettled(key: string): Promise<boolean> {
    const [tenant, id] = splitKey(key);
    return (await this.read<{ settled: boolean }>(CHUNKS_SETTLED, [tenant, id]))[0]?.settled ?? true;
  }

  /**
   * A transaction that takes a transaction id and commits: it needs a connection, a server that accepts writes
   * (not a read-only standby) and WAL it can write, as any write would, and changes no row.
   */
  probeWrite(): Promise<void> {
    return this.write(async (client) => {
      await client.query('SELECT pg_current_xact_id()');
    });
  }

  async close(): Promise<void> {
    await this.writes.close();
    if (!this.pool.ended) await this.pool.end();
  }

  private async write<T>(write: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    return this.writes.enqueue(write);
  }

  private async read<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
    await this.ready();
    try {
      return (await this.pool.query<Row>(sql, params)).rows;
    } catch (error) {
      throw journalError(error, this.description);
    }
  }

  private async operationRow(key: string, client?: PoolClient, lock = false): Promise<OperationRow | undefined> {
    const [tenant, id] = splitKey(key);
    const sql = `SELECT * FROM operations WHERE tenant = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`;
    if (!client) return (await this.read<OperationRow>(sql, [tenant, id]))[0];
    return (await client.query<OperationRow>(sql, [tenant, id])).rows[0];
  }

  /** The operation's row, locked until the write commits: every writer of its events and counts takes it first. */
  private async lockOperation(client: PoolClient, key: string): Promise<OperationState> {
    const row = await this.operationRow(key, client, true);
    if (!row) throw unknownOperationError(key);
    return toOperationState(row);
  }

  /**
   * A write by the operation's row id, which is remembered: row ids never change, and the lookup costs a round trip
   * on the hottest writes. Only a purge removes one, though, and another replica's purge followed by a retry under the
   * same id leaves this process remembering a row id that addresses nothing. So a write that changed nothing through a
   * remembered id looks the id up again, and runs once more if it has changed.
   */
  private async byOperation<T>(
    client: PoolClient,
    key: string,
    write: (opId: string) => Promise<T>,
    changedNothing: (result: T) => boolean,
  ): Promise<T> {
    const remembered = this.opIds.get(key);
    if (remembered !== undefined) {
      const result = await write(remembered);
      if (!changedNothing(result)) return result;
      const current = await this.lookUpOpId(client, key);
      return current === remembered ? result : write(current);
    }
    return write(await this.lookUpOpId(client, key));
  }

  private async lookUpOpId(client: PoolClient, key: string): Promise<string> {
    const [tenant, id] = splitKey(key);
    const { rows } = await client.query<{ op_id: string }>(
      `SELECT op_id FROM operations WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    const opId = rows[0]?.op_id;
    if (opId === undefined) {
      this.opIds.delete(key);
      throw unknownOperationError(key);
    }
    if (this.opIds.size >= 10_000) this.opIds.clear();
    this.opIds.set(key, opId);
    return opId;
  }
}

/** operationKey's two halves: the tenant, then the id (which may hold anything). */
function splitKey(key: string): [tenant: string, id: string] {
  const separator = key.indexOf('\u001f');
  if (separator < 0) throw unknownOperationError(key);
  return [key.slice(0, separator), key.slice(separator + 1)];
}

/** Items keep the video id and the account; the native id is read back from the video id, so it must hold both. */
function assertVideoId({ videoId, account, nativeId }: NewItem): void {
  if (videoId !== `${account}:${nativeId}`) {
    throw new Error(
      `Video id ${JSON.stringify(videoId)} is not "<account>:<native id>" for account ${JSON.stringify(account)}`,
    );
  }
}
