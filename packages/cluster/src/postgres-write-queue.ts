import type { Pool, PoolClient } from 'pg';

/** A write as the queue runs it: its statements, on the transaction's client. */
export type PostgresWrite<T> = (client: PoolClient) => Promise<T>;

interface Queued {
  write: PostgresWrite<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Writes committed together at most: bounds how long one transaction holds its rows. */
const MAX_GROUP = 64;

/**
 * Every write of the store, applied in the order it was called (the contract's promise), committed in groups: while
 * one transaction runs, the writes called meanwhile wait and then share the next transaction (one COMMIT, one WAL
 * flush for all of them). Should one write of a group fail, the group is rolled back and its writes run again one
 * transaction each, in order, so that the failure is that write's alone; writes only run statements, so running one
 * again after a rollback is safe. (A savepoint around each write would isolate it too, but costs two more round trips
 * per write on the path every batch takes.) A failure of the connection rejects the writes it took down.
 */
export class PostgresWriteQueue {
  private readonly pool: Pool;
  private readonly failure: (error: unknown) => unknown;
  private queue: Queued[] = [];
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(pool: Pool, options: { failure: (error: unknown) => unknown }) {
    this.pool = pool;
    this.failure = options.failure;
  }

  enqueue<T>(write: PostgresWrite<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The journal is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
      });
    });
  }

  /** Stops taking writes and waits for those already called. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      if (group.length === 1 || !(await this.commit(group))) {
        for (const queued of group) await this.commit([queued]);
      }
    }
  }

  /**
   * Runs the group in one transaction and settles its writes once it commits. Returns false, settling nothing, when a
   * write of a larger group failed: the caller then runs them one by one. A single write is settled either way.
   */
  private async commit(group: Queued[]): Promise<boolean> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      const failure = this.failure(error);
      for (const queued of group) queued.reject(failure);
      return true;
    }
    // A checked-out client whose connection dies emits 'error', which would end the process unheard; the statement in
    // flight, or the next one, rejects with it anyway.
    client.on('error', ignoreError);
    const values: unknown[] = [];
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      for (const queued of group) values.push(await queued.write(client));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      // A write's own error, in a group: the others go again without it. A lost connection fails them all.
      if (group.length > 1 && broken === undefined) return false;
      const failure = this.failure(error);
      for (const queued of group) queued.reject(failure);
      return true;
    } finally {
      client.removeListener('error', ignoreError);
      // A client that could not even roll back is broken: the pool drops it rather than hand it out again.
      client.release(broken);
    }
    for (const [index, queued] of group.entries()) queued.resolve(values[index]);
    return true;
  }
}

function ignoreError(): void {}
