import {
  LeaseLostError,
  OperationExistsError,
  TooManyOperationsError,
  operationKey,
  type ChunkLease,
  type NewOperation,
} from '@unreel/core';
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

let schemas = 0;
async function openStore(): Promise<PostgresOperationStore> {
  return PostgresOperationStore.open({ url: database.url, schema: `leases_${(schemas += 1)}`, poolSize: 4 });
}

/** An operation of `count` items of account `a`, cut into chunks of `batchSize`. */
function chunked(id: string, count: number, batchSize: number, notBefore: Date | null = null): NewOperation {
  return {
    ...newOperation(
      id,
      Array.from({ length: count }, (_, index) => `a:${id}-${index}`),
    ),
    chunks: { a: { batchSize, notBefore } },
  };
}

/** Polls until `claim` gives a chunk (a lease expires on the database clock, not this process's). */
async function eventually(claim: () => Promise<ChunkLease | null>): Promise<ChunkLease> {
  for (let tries = 0; tries < 400; tries += 1) {
    const lease = await claim();
    if (lease) return lease;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no chunk became claimable');
}

describe('PostgresOperationStore as WorkLeases', () => {
  it('hands each chunk to one claimer, fences the writes of a lease that expired, and finishes chunks', async () => {
    const store = await openStore();
    await store.createOperation(chunked('op', 5, 2));
    const key = operationKey('t1', 'op');
    const claims = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((owner) => store.claimChunk(owner, ['a'], 60_000)));
    const leases = claims.filter((lease) => lease !== null);
    // Three chunks (2, 2, 1 items), each claimed once; the fourth claimer finds none.
    expect(leases.map((lease) => [...lease.positions]).sort()).toEqual([[0, 1], [2, 3], [4]]);
    expect(new Set(leases.map((lease) => lease.token)).size).toBe(3);
    expect(leases.every((lease) => !lease.expired && lease.key === key)).toBe(true);

    const [first] = leases as [ChunkLease];
    expect((await store.chunkItems(first)).map((item) => item.position)).toEqual([...first.positions]);
    const fenced = store.fencedWrites(first);
    expect(await fenced.markAttempt(key, first.positions)).toEqual([...first.positions]);
    const at = new Date(Date.UTC(2026, 0, 1, 0, 5));
    const events = await fenced.recordUpdates(
      key,
      first.positions.map((position) => ({ position, status: 'DELETED' as const, at })),
    );
    expect(events.map((event) => event.sequence)).toEqual([1, 2]);
    expect(await store.finishChunk(first)).toBe(true);
    // Done: never claimed again, and the ended lease writes nothing.
    await expect(fenced.clearAmbiguous(key, first.positions)).rejects.toBeInstanceOf(LeaseLostError);

    // A lease left to expire is claimed by another replica with a greater token; the old holder's writes are refused.
    const second = leases[1] as ChunkLease;
    expect(await store.renewLease(second, 1)).toBe(true);
    const taken = await eventually(() => store.claimChunk('r9', ['a'], 60_000));
    expect(taken).toMatchObject({ chunkId: second.chunkId, expired: true });
    expect(BigInt(taken.token)).toBeGreaterThan(BigInt(second.token));
    await expect(store.fencedWrites(second).markAttempt(key, second.positions)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await store.renewLease(second, 60_000)).toBe(false);
    expect(await store.finishChunk(second)).toBe(false);
    expect((await store.listOpenItems(key, 'a', { first: 10 })).find((item) => item.position === 2)).toMatchObject({
      attempts: 0,
    });
    expect(await store.listEvents(key, 0, 10)).toHaveLength(2);

    // Graceful shutdown: a replica's leases go back at once, claimable by anyone without waiting for expiry.
    expect(await store.releaseLeases('r9')).toBe(1);
    expect(await store.claimChunk('r5', ['a'], 60_000)).toMatchObject({ chunkId: second.chunkId, expired: false });
    await store.close();
  });

  it('goes round-robin across operations, keeps deleteDelay chunks until due, and waits for blocked items', async () => {
    const store = await openStore();
    await store.createOperation(chunked('big', 40, 2));
    await store.createOperation(chunked('small', 2, 2));
    await store.createOperation(chunked('later', 2, 2, new Date(Date.now() + 3_600_000)));
    const order: string[] = [];
    for (let claim = 0; claim < 4; claim += 1) {
      const lease = await store.claimChunk('r1', ['a'], 60_000);
      order.push(lease?.operationId ?? 'none');
    }
    // The small operation's chunk comes second, not after the big one's twenty; the held one never comes.
    expect(order.slice(0, 2).sort()).toEqual(['big', 'small']);
    expect(order).not.toContain('later');
    expect(await store.claimChunk('r1', ['b'], 60_000)).toBeNull();

    // Accounts in the order the worker prefers them (fewest held first), whatever the chunks' order in the journal:
    // b's chunk was journaled after every chunk of a.
    await store.createOperation({
      ...newOperation('both', ['a:both-0', 'a:both-1', 'b:both-0']),
      chunks: { a: { batchSize: 1, notBefore: null }, b: { batchSize: 1, notBefore: null } },
    });
    expect(await store.claimChunk('r1', ['b', 'a'], 60_000)).toMatchObject({ account: 'b', operationId: 'both' });
    expect(await store.claimChunk('r1', ['b', 'a'], 60_000)).toMatchObject({ account: 'a' });

    // An item left SCHEDULED with a next attempt an hour ahead: its chunk goes back due then, not at once.
    const blocked = await openStore();
    await blocked.createOperation(chunked('wait', 1, 1));
    const lease = (await blocked.claimChunk('r1', ['a'], 60_000)) as ChunkLease;
    const key = operationKey('t1', 'wait');
    await blocked
      .fencedWrites(lease)
      .recordUpdates(key, [
        { position: 0, status: 'SCHEDULED', nextAttemptAt: new Date(Date.now() + 3_600_000), at: new Date() },
      ]);
    expect(await blocked.finishChunk(lease)).toBe(true);
    expect(await blocked.claimChunk('r1', ['a'], 60_000)).toBeNull();
    await Promise.all([store.close(), blocked.close()]);
  });

  it('chunks, once, the open items of operations journaled without cluster', async () => {
    const store = await openStore();
    const created = new Date();
    await store.createOperation(newOperation('plain', ['a:1', 'a:2', 'a:3', 'b:1'], 't1', created));
    const key = operationKey('t1', 'plain');
    await store.recordUpdates(key, [{ position: 1, status: 'DELETED', at: created }]);
    await store.createOperation(chunked('chunked', 2, 2));
    const accounts = [
      { account: 'a', batchSize: 2, deleteDelayMs: 0 },
      { account: 'b', batchSize: 2, deleteDelayMs: 3_600_000 },
    ];
    const [first, second] = await Promise.all([store.chunkUnchunked(accounts), store.chunkUnchunked(accounts)]);
    // a:1 and a:3 (a:2 is closed) in one chunk of `a`; b:1 in one of `b`, due an hour after the operation's creation.
    expect([first, second].sort()).toEqual([0, 2]);
    const claimed = new Set<string>();
    for (;;) {
      const lease = await store.claimChunk('r1', ['a', 'b'], 60_000);
      if (!lease) break;
      claimed.add(`${lease.operationId}:${lease.account}:${lease.positions.join(',')}`);
    }
    expect(claimed).toEqual(new Set(['plain:a:0,2', 'chunked:a:0,1']));
    await store.close();
  });

  it('holds the per-tenant running limit across replicas, counted in the journal', async () => {
    const schema = `leases_${(schemas += 1)}`;
    const replicas = await Promise.all(
      [1, 2, 3].map(() => PostgresOperationStore.open({ url: database.url, schema, poolSize: 3 })),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, index) =>
        (replicas[index % 3] as PostgresOperationStore).createOperation({
          ...newOperation(`op-${index}`, [`a:${index}`]),
          maxRunning: 2,
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused.every((result) => TooManyOperationsError.isInstance(result.reason))).toBe(true);
    // A repeat of one already journaled is no new operation: it finds the id taken, not the limit reached.
    const created = (results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>)
      .value.id;
    await expect(
      (replicas[0] as PostgresOperationStore).createOperation({ ...newOperation(created, ['a:x']), maxRunning: 2 }),
    ).rejects.toBeInstanceOf(OperationExistsError);
    await Promise.all(replicas.map((replica) => replica.close()));
  });

  it('leases a selection discovery to one replica and fences its pages', async () => {
    const store = await openStore();
    const at = new Date(Date.UTC(2026, 0, 1));
    await store.createOperation({
      ...newOperation('sel', []),
      selection: { selection: { account: 'a' }, maxItems: 100 },
    });
    const key = operationKey('t1', 'sel');
    const [one, two] = await Promise.all([store.claimDiscovery('r1', 60_000), store.claimDiscovery('r2', 60_000)]);
    const lease = one ?? two;
    expect([one, two].filter((claim) => claim !== null)).toHaveLength(1);
    const page = {
      videos: ['a:1', 'a:2', 'a:3'].map((videoId) => ({
        videoId,
        account: 'a',
        nativeId: videoId.slice(2),
        status: 'PENDING' as const,
      })),
      nextCursor: 'c1',
      at,
      chunks: { a: { batchSize: 2, notBefore: null } },
    };
    const result = await store.fencedDiscovery(lease!).appendDiscovered(key, page);
    expect(result.events.map((event) => event.sequence)).toEqual([1, 2, 3]);
    // The page's chunks are claimable at once (a first pass is not quiet).
    const chunk = await store.claimChunk('r1', ['a'], 60_000);
    expect(chunk?.positions).toEqual([0, 1]);
    expect(await store.chunksSettled(key)).toBe(false);

    await store.releaseDiscovery(lease!);
    const again = await store.claimDiscovery('r3', 60_000);
    expect(again?.key).toBe(key);
    await expect(
      store.fencedDiscovery(lease!).appendDiscovered(key, { ...page, nextCursor: null }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.getOperation(key))?.total).toBe(3);
    await store.close();
  });
});
