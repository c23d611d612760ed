import { operationKey, type ItemUpdate } from '@unreel/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOperation } from '../../core/test/operation-store-suite.js';
import { PostgresOperationStore } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const day = (n: number) => new Date(Date.UTC(2026, 0, n));

function deleted(positions: number[], at: Date): ItemUpdate[] {
  return positions.map((position) => ({ position, status: 'DELETED', error: null, restorableUntil: null, at }));
}

async function count(schema: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(`SELECT (${sql})::int AS n`.replaceAll('$schema', schema))).rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('the retention purge across replicas (several stores on one journal)', () => {
  it('purges each finished operation past retention exactly once when replicas purge together', async () => {
    const schema = 'purge_together';
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresOperationStore.open({ url: database.url, schema, poolSize: 2 })),
    );
    const writer = stores[0]!;
    for (let index = 0; index < 40; index += 1) {
      const old = index < 30;
      const finishedOn = old ? day(1) : day(20);
      await writer.createOperation(newOperation(`op-${index}`, ['a:1', 'a:2', 'a:3'], 't1', finishedOn));
      await writer.recordUpdates(operationKey('t1', `op-${index}`), deleted([0, 1, 2], finishedOn));
    }
    await writer.createOperation(newOperation('running', ['a:1', 'a:2'], 't1', day(1)));
    await writer.recordUpdates(operationKey('t1', 'running'), deleted([0], day(1)));

    // Each store also writes the running operation while they all purge: the purge must not lose those writes.
    const purged = await Promise.all(
      stores.map(async (store, index) => {
        const [purgedHere] = await Promise.all([
          store.purgeFinishedBefore(day(10)),
          index === 1 ? store.recordUpdates(operationKey('t1', 'running'), deleted([1], day(2))) : undefined,
        ]);
        return purgedHere;
      }),
    );
    // Whoever held the lock purged them all; the others found it taken and purged nothing, and nothing failed.
    expect(purged.reduce((sum, n) => sum + n, 0)).toBe(30);
    expect(purged.filter((n) => n > 0)).toHaveLength(1);

    expect(await count(schema, `SELECT count(*) FROM $schema.operations`)).toBe(11);
    expect(await count(schema, `SELECT count(*) FROM $schema.events`)).toBe(10 * 3 + 2);
    expect(await count(schema, `SELECT count(*) FROM $schema.items`)).toBe(10 * 3 + 2);
    // Nothing left behind of what was purged: no events without their operation.
    expect(
      await count(
        schema,
        `SELECT count(*) FROM $schema.events e WHERE NOT EXISTS (SELECT 1 FROM $schema.operations o WHERE o.op_id = e.op_id)`,
      ),
    ).toBe(0);
    const running = await writer.getOperation(operationKey('t1', 'running'));
    // The second item's write landed: the operation finished at day 2, which the next purge past day 10 takes.
    expect(running).toMatchObject({ status: 'SUCCEEDED', pending: 0, lastSequence: 2 });
    expect((await writer.listEvents(operationKey('t1', 'op-35'), 0, 10)).map((event) => event.sequence)).toEqual([
      1, 2, 3,
    ]);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('runs an operation recreated under a purged id on a replica that worked on the purged one', async () => {
    const schema = 'purge_then_reuse';
    const [purger, worker] = await Promise.all(
      Array.from({ length: 2 }, () => PostgresOperationStore.open({ url: database.url, schema, poolSize: 2 })),
    );
    const key = operationKey('t1', 'reused');
    await purger!.createOperation(newOperation('reused', ['a:1', 'a:2'], 't1', day(1)));
    // The worker sends the old operation's items: it now knows that operation's row.
    expect(await worker!.markAttempt(key, [0, 1])).toEqual([0, 1]);
    await worker!.recordUpdates(key, deleted([0, 1], day(1)));
    expect(await purger!.purgeFinishedBefore(day(10))).toBe(1);

    // Past retention the id is free again: a retry creates a new operation, and the worker must send its items.
    await purger!.createOperation(newOperation('reused', ['a:3', 'a:4'], 't1', day(11)));
    expect(await worker!.markAttempt(key, [0, 1])).toEqual([0, 1]);
    await worker!.clearAmbiguous(key, [0]);
    const items = await worker!.listOpenItems(key, 'a', { first: 10 });
    expect(items.map((item) => [item.videoId, item.attempts, item.ambiguous])).toEqual([
      ['a:3', 1, false],
      ['a:4', 1, true],
    ]);
    await Promise.all([purger!.close(), worker!.close()]);
  });

  it('leaves no event behind of an operation that another replica wrote while the purge waited for it', async () => {
    const schema = 'purge_waits';
    const store = await PostgresOperationStore.open({ url: database.url, schema, poolSize: 2 });
    const key = operationKey('t1', 'restored-late');
    await store.createOperation(newOperation('restored-late', ['a:1'], 't1', day(1)));
    await store.recordUpdates(key, deleted([0], day(1)));
    // Another replica's restore of that item, as its write does it: the operation's row first, then the event.
    const other = new pg.Client({ connectionString: database.url, options: `-c search_path=${schema}` });
    await other.connect();
    await other.query('BEGIN');
    const { rows } = await other.query<{ op_id: string }>(
      `SELECT op_id FROM operations WHERE id = 'restored-late' FOR UPDATE`,
    );
    const purging = store.purgeFinishedBefore(day(10));
    // The purge's delete is now waiting for that row.
    await expect
      .poll(
        () =>
          count(
            schema,
            `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE '%DELETE FROM operations%'`,
          ),
        { timeout: 20_000, interval: 50 },
      )
      .toBe(1);
    await other.query(
      `INSERT INTO events (op_id, sequence, position, status, attempts, updated_at, completed, op_status)
       VALUES ($1, 2, 0, 'RESTORED', 1, $2, 1, 'SUCCEEDED')`,
      [rows[0]!.op_id, day(2)],
    );
    await other.query(`UPDATE operations SET last_sequence = 2 WHERE op_id = $1`, [rows[0]!.op_id]);
    await other.query('COMMIT');
    await other.end();
    expect(await purging).toBe(1);
    expect(await store.getOperation(key)).toBeNull();
    expect(await count(schema, `SELECT count(*) FROM $schema.events`)).toBe(0);
    await store.close();
  });
});
