import { JournalUnavailableError, operationKey } from '@unreel/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOperationStore, newOperation } from '../../core/test/operation-store-suite.js';
import { PostgresOperationStore, SCHEMA_VERSION } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

// Each store of the contract suite starts empty: a schema of its own in this file's database.
let stores = 0;
describeOperationStore(
  'postgres',
  () => new PostgresOperationStore({ url: database.url, schema: `contract_${(stores += 1)}`, poolSize: 4 }),
);

describe('PostgresOperationStore', () => {
  it('migrates once when several replicas start together, and keeps everything across a reopen', async () => {
    const schema = 'concurrent_start';
    const starts = await Promise.all(
      Array.from({ length: 5 }, () => PostgresOperationStore.open({ url: database.url, schema, poolSize: 2 })),
    );
    const [first] = starts;
    await first!.createOperation(newOperation('op', ['a:1', 'a:2']));
    await first!.markAttempt(operationKey('t1', 'op'), [0]);
    await first!.saveLearnedRate({
      account: 'a',
      requestsPerSecond: 5,
      configuredRequestsPerSecond: 30,
      learnedAt: new Date(Date.UTC(2026, 0, 1)),
    });
    await Promise.all(starts.map((store) => store.close()));

    const reopened = await PostgresOperationStore.open({ url: database.url, schema });
    expect((await reopened.listUnfinishedOperations()).map((operation) => operation.id)).toEqual(['op']);
    expect((await reopened.listOpenItems(operationKey('t1', 'op'), 'a', { first: 1 }))[0]).toMatchObject({
      attempts: 1,
      ambiguous: true,
    });
    expect(await reopened.listLearnedRates()).toEqual([
      {
        account: 'a',
        requestsPerSecond: 5,
        configuredRequestsPerSecond: 30,
        learnedAt: new Date(Date.UTC(2026, 0, 1)),
      },
    ]);
    await reopened.close();

    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    const { rows } = await raw.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`);
    await raw.end();
    expect(rows.map((row) => row.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, index) => index + 1));
  });

  it('refuses a journal written by a newer version instead of guessing', async () => {
    const schema = 'from_the_future';
    await (await PostgresOperationStore.open({ url: database.url, schema })).close();
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    await raw.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    await raw.end();
    await expect(PostgresOperationStore.open({ url: database.url, schema })).rejects.toThrow(
      `schema ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}`,
    );
  });

  it('rejects as JournalUnavailableError when PostgreSQL cannot be reached, without the password', async () => {
    // Nothing listens on port 1: the connection is refused, as when the server is down.
    const url = 'postgres://unreel:s3cret-Passw0rd@127.0.0.1:1/unreel';
    const store = new PostgresOperationStore({ url });
    expect(store.description).toBe('postgres://127.0.0.1:1/unreel');
    const error: unknown = await store.probeWrite().catch((caught: unknown) => caught);
    expect(JournalUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ journal: 'postgres://127.0.0.1:1/unreel', retryable: true });
    expect(String((error as Error).message)).not.toContain('s3cret');
    await expect(store.getOperation(operationKey('t', 'op'))).rejects.toSatisfy(JournalUnavailableError.isInstance);
    await store.close();
  });

  it('rejects writes as JournalUnavailableError while the connection is cut, and works again after', async () => {
    const store = await PostgresOperationStore.open({ url: database.url, schema: 'cut', poolSize: 2 });
    await store.createOperation(newOperation('op', ['a:1']));
    // The server ends every connection of this database, as a restart would.
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    await raw.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await raw.end();
    // The pool's idle connections are dead: the first write on one fails as unavailable, or finds a fresh one.
    const outcome = await store.probeWrite().then(
      () => 'written',
      (error: unknown) => (JournalUnavailableError.isInstance(error) ? 'unavailable' : error),
    );
    expect(['written', 'unavailable']).toContain(outcome);
    await expect(
      store.recordUpdates(operationKey('t1', 'op'), [{ position: 0, status: 'DELETED', at: new Date() }]),
    ).resolves.toMatchObject([{ sequence: 1 }]);
    await store.close();
  });
});
