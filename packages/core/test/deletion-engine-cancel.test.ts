import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, SqliteOperationStore, type ProgressEvent } from '../src/index.js';
import { drain, harness, ids, type Harness } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

const TENANT = 'default';
const HOUR = 3_600_000;
/** Generous: the machine is shared, and these wait for states, never for time. */
const POLL = { timeout: 10_000 };

/** Each item's statuses over the operation's events: one final event per item is the invariant. */
function statusesByItem(events: readonly ProgressEvent[]): Record<string, string[]> {
  const byItem: Record<string, string[]> = {};
  for (const event of events) (byItem[event.item.videoId] ??= []).push(event.item.status);
  return byItem;
}

function expectGapless(events: readonly ProgressEvent[]): void {
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
}

/** The journal's attempts per item, in request order. */
async function attempts(h: Harness, operationId: string): Promise<number[]> {
  const page = await h.engine.listItems(TENANT, operationId, { first: 100 });
  return page.items.map((item) => item.attempts);
}

/**
 * Six items in batches of two, one call at a time, the provider holding every call: the first batch is in flight, the
 * second is journaled as sent and waits for the account's limit, the third is not planned yet.
 */
async function inFlightOperation(h: Harness, operationId: string): Promise<void> {
  await h.engine.submit({ tenant: TENANT, ids: ids(6), operationId });
  await expect.poll(() => h.provider.inFlight, POLL).toBe(1);
  await expect.poll(() => attempts(h, operationId), POLL).toEqual([1, 1, 1, 1, 0, 0]);
}

describe('cancelOperation', () => {
  it('cancels what no call carried, lets the call in flight finish, and ends CANCELLED', async () => {
    const h = harness({ provider: new FakeProvider({ maxBatchSize: 2 }), limits: { concurrency: 1 } });
    const release = h.provider.hold();
    await inFlightOperation(h, 'op');
    const live = drain(h.engine.progress(TENANT, 'op'));

    const cancelled = await h.engine.cancelOperation(TENANT, 'op');
    // The third batch at once; the first is in flight and the second journaled as sent: both still open.
    expect(cancelled).toMatchObject({ status: 'RUNNING', cancelled: 2, pending: 4 });
    release();

    const events = await live;
    expectGapless(events);
    expect(statusesByItem(events)).toEqual({
      'acc:v1': ['DELETED'],
      'acc:v2': ['DELETED'],
      'acc:v3': ['CANCELLED'],
      'acc:v4': ['CANCELLED'],
      'acc:v5': ['CANCELLED'],
      'acc:v6': ['CANCELLED'],
    });
    expect(events.at(-1)?.status).toBe('CANCELLED');
    expect(events.slice(0, -1).every((event) => event.status === 'RUNNING')).toBe(true);
    // The second batch waited for the account's limit when the cancel came: it was never sent, and says so.
    expect(h.provider.calls.map((call) => call.ids)).toEqual([['v1', 'v2']]);
    expect(await attempts(h, 'op')).toEqual([1, 1, 0, 0, 0, 0]);
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({
      status: 'CANCELLED',
      deleted: 2,
      cancelled: 4,
      pending: 0,
    });
    await expect.poll(() => h.engine.runningOperations().size, POLL).toBe(0);

    // Idempotent: again, the same operation and no new event.
    const again = await h.engine.cancelOperation(TENANT, 'op');
    expect(again).toMatchObject({ status: 'CANCELLED', cancelled: 4, lastSequence: 6 });
    expect(await drain(h.engine.progress(TENANT, 'op'))).toEqual(events);
  });

  it('cancels deletions held by deleteDelay without a provider call, and the run ends at once', async () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    const h = harness({ deleteDelayMs: HOUR, now: () => new Date(now) });
    await h.engine.submit({ tenant: TENANT, ids: ids(3), operationId: 'held' });
    expect((await h.engine.listItems(TENANT, 'held', { first: 5 })).items.map((item) => item.status)).toEqual([
      'SCHEDULED',
      'SCHEDULED',
      'SCHEDULED',
    ]);
    const cancelled = await h.engine.cancelOperation(TENANT, 'held');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelled: 3, pending: 0, finishedAt: new Date(now) });
    const events = await drain(h.engine.progress(TENANT, 'held'));
    expect(events.map((event) => [event.item.videoId, event.item.status, event.status])).toEqual([
      ['acc:v1', 'CANCELLED', 'RUNNING'],
      ['acc:v2', 'CANCELLED', 'RUNNING'],
      ['acc:v3', 'CANCELLED', 'CANCELLED'],
    ]);
    // Not held until the due time: the tenant's running slot is free now.
    await expect.poll(() => h.engine.runningOperations().size, POLL).toBe(0);
    expect(h.provider.calls).toEqual([]);
    // restoreVideo is what it was: a cancelled deletion is not a held one to undo.
    const restore = await h.engine.restoreVideo(TENANT, 'acc:v1');
    expect(restore).toMatchObject({ restored: false, item: { status: 'CANCELLED' } });
  });

  it('wakes a batch waiting to retry items no call reached, instead of holding the operation for its backoff', async () => {
    // A backoff of an hour: the test would time out if the run waited for it.
    const h = harness({ limits: { backoffBaseMs: HOUR, backoffMaxMs: HOUR, maxAttempts: 5 } });
    h.provider.script = (videoIds) =>
      videoIds.map(() => ({
        status: 'FAILED' as const,
        error: { code: 'IN_PROCESSING', message: 'still processing', retryable: true },
      }));
    await h.engine.submit({ tenant: TENANT, ids: ids(2), operationId: 'busy' });
    // Refused for certain (the provider answered), so no longer ambiguous: waiting to retry.
    await expect
      .poll(
        async () =>
          (await h.engine.listItems(TENANT, 'busy', { first: 5 })).items.map((item) => [item.attempts, item.ambiguous]),
        POLL,
      )
      .toEqual([
        [1, false],
        [1, false],
      ]);
    expect(await h.engine.cancelOperation(TENANT, 'busy')).toMatchObject({ status: 'CANCELLED', cancelled: 2 });
    await expect.poll(() => h.engine.runningOperations().size, POLL).toBe(0);
    expect(h.provider.calls).toHaveLength(1);
  });

  it('refuses an unknown operation, or another tenant’s, naming the id; a finished one is returned as it is', async () => {
    const h = harness();
    const { operation } = await h.engine.submit({ tenant: TENANT, ids: ids(2), operationId: 'done' });
    await drain(h.engine.progress(TENANT, operation.id));
    const finished = await h.engine.getOperation(TENANT, 'done');
    expect(finished?.status).toBe('SUCCEEDED');
    expect(await h.engine.cancelOperation(TENANT, 'done')).toEqual(finished);
    for (const [tenant, id] of [
      [TENANT, 'nope'],
      ['other', 'done'],
    ] as const) {
      const error: unknown = await h.engine.cancelOperation(tenant, id).catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'operationId',
        message: `Unknown operation "${id}"`,
      });
    }
  });

  it('after a crash that follows a cancel, runs no cancelled item and settles those a call may have reached', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'unreel-cancel-'));
    const live = path.join(directory, 'journal.db');
    const crashed = path.join(directory, 'crashed.db');
    const first = harness({
      store: new SqliteOperationStore({ path: live }),
      provider: new FakeProvider({ maxBatchSize: 2 }),
      limits: { concurrency: 1 },
    });
    const release = first.provider.hold();
    await inFlightOperation(first, 'op');
    await first.engine.cancelOperation(TENANT, 'op');
    // What the disk holds the moment cancelOperation returned: all a crash right then would leave behind.
    const reader = new BetterSqlite3(live, { readonly: true });
    reader.exec(`VACUUM INTO '${crashed}'`);
    reader.close();
    release();
    await first.engine.close();
    await first.store.close();

    const second = harness({
      store: new SqliteOperationStore({ path: crashed }),
      provider: new FakeProvider({ maxBatchSize: 2 }),
      limits: { concurrency: 1 },
    });
    expect(await second.engine.resume()).toBe(1);
    const events = await drain(second.engine.progress(TENANT, 'op'));
    expectGapless(events);
    // The two batches journaled as sent may have reached the provider: deleted again, as any recovery does (a
    // not-found would count as deleted too). The cancelled ones are never sent, and each item has one final event.
    expect(second.provider.calls.flatMap((call) => call.ids).toSorted()).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(statusesByItem(events)).toEqual({
      'acc:v1': ['DELETED'],
      'acc:v2': ['DELETED'],
      'acc:v3': ['DELETED'],
      'acc:v4': ['DELETED'],
      'acc:v5': ['CANCELLED'],
      'acc:v6': ['CANCELLED'],
    });
    expect(events.at(-1)?.status).toBe('CANCELLED');
    expect(await second.engine.getOperation(TENANT, 'op')).toMatchObject({
      status: 'CANCELLED',
      deleted: 4,
      cancelled: 2,
      pending: 0,
    });
    await second.engine.close();
    await second.store.close();
  });
});

describe('listOperations', () => {
  it("lists only the tenant's own operations, newest first, by status", async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const h = harness({ deleteDelayMs: HOUR, now: () => new Date(now) });
    for (const [tenant, id] of [
      ['a', 'first'],
      ['b', 'theirs'],
      ['a', 'second'],
      ['a', 'third'],
    ] as const) {
      await h.engine.submit({ tenant, ids: ids(1, id), operationId: id });
      now += 1_000;
    }
    await h.engine.cancelOperation('a', 'second');
    const list = async (tenant: string, options: Parameters<typeof h.engine.listOperations>[1]) =>
      (await h.engine.listOperations(tenant, options)).operations.map((operation) => operation.id);
    expect(await list('a', { first: 10 })).toEqual(['third', 'second', 'first']);
    expect(await list('a', { first: 10, status: 'CANCELLED' })).toEqual(['second']);
    expect(await list('a', { first: 10, status: 'RUNNING' })).toEqual(['third', 'first']);
    expect(await list('b', { first: 10 })).toEqual(['theirs']);
    await h.engine.close();
  });
});
