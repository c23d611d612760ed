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
 * flush for all of them). A write that fails alone (an unknown item) is rolled back to its own savepoint and rejects;
 * the others of its group commit. A failure of the transaction itself (the connection) rejects every write of the group,
 * none of which is then journaled.
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
      await this.commit(group);
    }
  }

  private async commit(group: Queued[]): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      const failure = this.failure(error);
      for (const queued of group) queued.reject(failure);
      return;
    }
    // A write alone needs no savepoint: its failure is the transaction's.
    const alone = group.length === 1;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      for (const queued of group) {
        if (!alone) await client.query('SAVEPOINT write');
        try {
          outcomes.push({ ok: true, value: await queued.write(client) });
          if (!alone) await client.query('RELEASE SAVEPOINT write');
        } catch (error) {
          if (alone) throw error;
          // The savepoint undoes this write only; a lost connection fails the rollback too, and so the group.
          await client.query('ROLLBACK TO SAVEPOINT write');
          outcomes.push({ ok: false, error });
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      const failure = this.failure(error);
      for (const queued of group) queued.reject(failure);
      return;
    } finally {
      // A client that could not even roll back is broken: the pool drops it rather than hand it out again.
      client.release(broken);
    }
    for (const [index, queued] of group.entries()) {
      const outcome = outcomes[index];
      if (outcome?.ok) queued.resolve(outcome.value);
      else queued.reject(this.failure(outcome?.error));
    }
  }
}
