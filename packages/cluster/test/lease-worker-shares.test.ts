import { AccountRegistry, DeletionEngine, InMemoryEventBus, defaultAccountLimits, type Account } from '@unreel/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProvider } from '../../core/test/fake-provider.js';
import { PostgresOperationStore } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

function account(name: string, provider: FakeProvider): Account {
  return {
    name,
    pluginId: 'fake',
    provider,
    limits: defaultAccountLimits(provider, { concurrency: 1, backoffBaseMs: 1, backoffMaxMs: 5 }),
    deleteDelayMs: 0,
  };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; tries < 1_000; tries += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe('LeaseWorker on PostgreSQL', () => {
  it('claims only accounts below their share of the slots, so an account listed later is not left waiting', async () => {
    const schema = 'lease_shares';
    const store = await PostgresOperationStore.open({ url: database.url, schema, poolSize: 4 });
    const journal = new pg.Client({ connectionString: database.url });
    await journal.connect();
    // Two items a call: 10 chunks of a, then 2 of b, in chunk order (the ids come grouped by account).
    const a = new FakeProvider({ maxBatchSize: 2 });
    const b = new FakeProvider({ maxBatchSize: 2 });
    const release = [a.hold(), b.hold()];
    // Concurrency 1 each: 4 slots by default, a share of 2 each.
    const engine = new DeletionEngine({
      store,
      bus: new InMemoryEventBus(),
      accounts: new AccountRegistry([account('a', a), account('b', b)]),
      work: { leases: store, owner: 'r1', leaseMs: 60_000, worker: true, idleMs: 20 },
    });
    const leased = async (): Promise<Record<string, number>> => {
      const { rows } = await journal.query<{ account: string; leased: number }>(
        `SELECT account, count(*)::int AS leased FROM ${schema}.chunks
         WHERE lease_expires > now() AND NOT done GROUP BY account`,
      );
      return Object.fromEntries(rows.map((row) => [row.account, row.leased]));
    };
    try {
      await engine.resume();
      const ids = [
        ...Array.from({ length: 20 }, (_, index) => `a:v${index}`),
        ...Array.from({ length: 4 }, (_, index) => `b:v${index}`),
      ];
      await engine.submit({ tenant: 't1', operationId: 'op', ids });
      // Every slot holds a chunk: two of a (one calling, one waiting for a's limit), and both of b.
      let seen: Record<string, number> = {};
      await until(async () => {
        seen = await leased();
        expect(seen['a'] ?? 0).toBeLessThanOrEqual(2);
        return (seen['a'] ?? 0) + (seen['b'] ?? 0) === 4;
      }, 'four chunks leased');
      expect(seen).toEqual({ a: 2, b: 2 });
      await until(async () => b.inFlight === 1 && a.inFlight === 1, 'a call of each account in flight');

      // Let the calls go: a's share never grows past 2 while b has room left over; everything is deleted.
      for (const go of release) go();
      let mostOfA = 0;
      await until(async () => {
        mostOfA = Math.max(mostOfA, (await leased())['a'] ?? 0);
        return (await engine.getOperation('t1', 'op'))?.status === 'SUCCEEDED';
      }, 'the operation succeeded');
      expect(mostOfA).toBeLessThanOrEqual(2);
      expect(a.deleted.size + b.deleted.size).toBe(24);
    } finally {
      for (const go of release) go();
      await engine.close();
      await journal.end();
      await store.close();
    }
  });
});
