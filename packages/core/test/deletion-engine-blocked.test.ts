import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeleteOutcome, ItemError } from '@unreel/provider-spec';
import { IdempotencyConflictError, SqliteOperationStore, type ProgressEvent } from '../src/index.js';
import { drain, harness, type Harness } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

const TENANT = 'default';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2026-01-01T00:00:00.000Z');
/** Generous: the machine is shared, and these wait for states, never for time. */
const POLL = { timeout: 10_000 };

/** setTimeout and Date under the test's hand: the engine's clock, and the timers its waits use, move only when told. */
function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: START });
}

afterEach(() => {
  vi.useRealTimers();
});

const tooRecent = (retryAfter?: Date): ItemError => ({
  code: 'TOO_RECENT',
  message: 'finished processing less than 4 hours ago',
  retryable: true,
  transient: false,
  ...(retryAfter ? { retryAfter } : {}),
});

const inProcessing: ItemError = {
  code: 'IN_PROCESSING',
  message: 'still processing',
  retryable: true,
  transient: false,
};

/** A provider that refuses `blocked` ids with `error` until the clock reaches `until` (never, by default). */
function refusing(blocked: string[], error: ItemError, until = Number.POSITIVE_INFINITY): FakeProvider {
  const provider = new FakeProvider();
  provider.script = (ids) =>
    Date.now() < until && ids.some((id) => blocked.includes(id))
      ? ids.map((id): DeleteOutcome => (blocked.includes(id) ? { status: 'FAILED', error } : { status: 'DELETED' }))
      : undefined;
  return provider;
}

/** The next `count` events of a live progress stream. */
async function take(stream: AsyncIterableIterator<ProgressEvent>, count: number): Promise<ProgressEvent[]> {
  const events: ProgressEvent[] = [];
  while (events.length < count) {
    const next = await stream.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

const summary = (events: readonly ProgressEvent[]) => events.map((event) => [event.item.videoId, event.item.status]);
const callTimes = (h: Harness) => h.provider.calls.map((call) => call.at - START);

describe('whenBlocked: FAIL (the default)', () => {
  it('fails a refusal that may pass later at once, retryable, with the time the provider gave', async () => {
    const retryAfter = new Date(Date.now() + 3 * HOUR);
    const h = harness({ provider: refusing(['b'], tooRecent(retryAfter)) });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a', 'acc:b'], operationId: 'op' });
    const events = await drain(h.engine.progress(TENANT, 'op'));
    expect(summary(events)).toEqual([
      ['acc:a', 'DELETED'],
      ['acc:b', 'FAILED'],
    ]);
    expect(events[1]?.item.error).toEqual(tooRecent(retryAfter));
    expect(events[1]?.item.nextAttemptAt).toBeNull();
    // Not transient: no immediate retry hammers a provider that said "not before three hours".
    expect(h.provider.calls).toHaveLength(1);
    expect(events.at(-1)?.status).toBe('PARTIALLY_FAILED');
  });

  it('keeps retrying a transient refusal now, and a plugin that says only `retryable` is transient as before', async () => {
    const provider = new FakeProvider();
    provider.script = (ids, call) =>
      call < 3
        ? ids.map(() => ({ status: 'FAILED', error: { code: 'PROVIDER_ERROR', message: 'busy', retryable: true } }))
        : undefined;
    const h = harness({ provider, whenBlocked: 'WAIT' });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op' });
    const events = await drain(h.engine.progress(TENANT, 'op'));
    expect(summary(events)).toEqual([['acc:a', 'DELETED']]);
    expect(h.provider.calls).toHaveLength(3);
  });

  it('turns a wait the provider asked for (retryAfterMs) into retryAfter on a failure that may pass later', async () => {
    useFakeClock();
    const provider = new FakeProvider();
    provider.script = (ids) =>
      ids.map(() => ({
        status: 'FAILED',
        error: { code: 'RATE_LIMITED', message: 'slow down', retryable: true, retryAfterMs: 30_000 },
      }));
    const h = harness({ provider, limits: { maxAttempts: 1 } });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op' });
    const [event] = await drain(h.engine.progress(TENANT, 'op'));
    expect(event?.item.error).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfter: new Date(START + 30_000),
    });
  });
});

describe('whenBlocked: WAIT', () => {
  it('keeps a refused item SCHEDULED until the time its provider gave, then deletes it', async () => {
    useFakeClock();
    const retryAfter = START + 3 * HOUR;
    const h = harness({ provider: refusing(['b'], tooRecent(new Date(retryAfter)), retryAfter) });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a', 'acc:b'], operationId: 'op', whenBlocked: 'WAIT' });
    const stream = h.engine.progress(TENANT, 'op');
    const first = await take(stream, 2);
    expect(summary(first)).toEqual([
      ['acc:a', 'DELETED'],
      ['acc:b', 'SCHEDULED'],
    ]);
    // Waiting is an event of its own: the refusal it waits out, and when it goes again; nothing completed.
    expect(first[1]).toMatchObject({
      status: 'RUNNING',
      completed: 1,
      item: { error: tooRecent(new Date(retryAfter)), nextAttemptAt: new Date(retryAfter), attempts: 1 },
    });
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({ status: 'RUNNING', pending: 1, deleted: 1 });

    await vi.advanceTimersByTimeAsync(3 * HOUR - 1);
    expect(h.provider.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const rest = await drain(stream);
    expect(summary(rest)).toEqual([['acc:b', 'DELETED']]);
    expect(rest[0]).toMatchObject({ status: 'SUCCEEDED', item: { error: null, nextAttemptAt: null, attempts: 2 } });
    expect(callTimes(h)).toEqual([0, 3 * HOUR]);
    await vi.waitFor(() => expect(h.engine.runningOperations().size).toBe(0));
  });

  it('backs off exponentially when the provider gives no time, and fails with its last refusal past the horizon', async () => {
    useFakeClock();
    const h = harness({
      provider: refusing(['a'], inProcessing),
      whenBlocked: 'WAIT',
      engineOptions: {
        blockedRetryHorizonMs: 10 * MINUTE,
        blockedRetryInitialMs: MINUTE,
        blockedRetryMaxMs: 4 * MINUTE,
      },
    });
    // The account's default applies to a request that does not say.
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op' });
    const stream = h.engine.progress(TENANT, 'op');
    const waits: (number | null)[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const [event] = await take(stream, 1);
      expect(event?.item).toMatchObject({ status: 'SCHEDULED', attempts: attempt, error: inProcessing });
      const next = event?.item.nextAttemptAt?.getTime() ?? null;
      waits.push(next === null ? null : next - START);
      await vi.advanceTimersByTimeAsync((next ?? 0) - Date.now());
    }
    // 1, 2, then 4 minutes apart; the next would be 4 more (the cap), at 11 minutes: beyond the 10-minute horizon.
    expect(waits).toEqual([MINUTE, 3 * MINUTE, 7 * MINUTE]);
    const [last] = await drain(stream);
    expect(last).toMatchObject({ status: 'FAILED', item: { status: 'FAILED', error: inProcessing, attempts: 4 } });
    expect(callTimes(h)).toEqual([0, MINUTE, 3 * MINUTE, 7 * MINUTE]);
  });

  it('fails at once when the time the provider gave is beyond the horizon', async () => {
    useFakeClock();
    const h = harness({
      provider: refusing(['a'], tooRecent(new Date(START + 3 * HOUR))),
      engineOptions: { blockedRetryHorizonMs: HOUR },
    });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'WAIT' });
    const events = await drain(h.engine.progress(TENANT, 'op'));
    expect(summary(events)).toEqual([['acc:a', 'FAILED']]);
    expect(events[0]?.item.error?.retryAfter).toEqual(new Date(START + 3 * HOUR));
  });

  it("lets a request's FAIL override an account that waits", async () => {
    const h = harness({ provider: refusing(['a'], inProcessing), whenBlocked: 'WAIT' });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'FAIL' });
    const events = await drain(h.engine.progress(TENANT, 'op'));
    expect(summary(events)).toEqual([['acc:a', 'FAILED']]);
  });

  it('cancels an item waiting for its provider, and the run ends without another call', async () => {
    useFakeClock();
    const h = harness({ provider: refusing(['a'], tooRecent(new Date(START + HOUR))) });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'WAIT' });
    const stream = h.engine.progress(TENANT, 'op');
    expect(summary(await take(stream, 1))).toEqual([['acc:a', 'SCHEDULED']]);

    const cancelled = await h.engine.cancelOperation(TENANT, 'op');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelled: 1, pending: 0 });
    const rest = await drain(stream);
    expect(rest).toMatchObject([{ status: 'CANCELLED', item: { status: 'CANCELLED', nextAttemptAt: null } }]);
    await vi.waitFor(() => expect(h.engine.runningOperations().size).toBe(0));
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(h.provider.calls).toHaveLength(1);
  });

  it('treats whenBlocked as part of the request: the same operationId asking otherwise is a conflict', async () => {
    const h = harness();
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'WAIT' });
    const again = await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'WAIT' });
    expect(again.created).toBe(false);
    await expect(h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op' })).rejects.toSatisfy(
      IdempotencyConflictError.isInstance,
    );
    await expect(
      h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'FAIL' }),
    ).rejects.toThrow(/whenBlocked WAIT/);
  });

  it('survives a restart while waiting: the journaled time holds, and the item is deleted once it has come', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'unreel-blocked-')), 'journal.db');
    // The engines' clock, moved by the test: it alone decides whether the item is due, so no real time passes.
    let now = START;
    const retryAfter = START + HOUR;
    const provider = new FakeProvider();
    provider.script = (ids) =>
      now < retryAfter ? ids.map(() => ({ status: 'FAILED', error: tooRecent(new Date(retryAfter)) })) : undefined;
    const start = () =>
      harness({ store: new SqliteOperationStore({ path: file }), provider, now: () => new Date(now) });

    const first = start();
    await first.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'op', whenBlocked: 'WAIT' });
    const waiting = async () => (await first.engine.listItems(TENANT, 'op', { first: 1 })).items[0]?.status;
    await expect.poll(waiting, POLL).toBe('SCHEDULED');
    await first.engine.close();
    await first.store.close();

    now = retryAfter + 1;
    const second = start();
    const [item] = (await second.engine.listItems(TENANT, 'op', { first: 1 })).items;
    expect(item).toMatchObject({ status: 'SCHEDULED', nextAttemptAt: new Date(retryAfter), ambiguous: false });
    expect(await second.engine.resume()).toBe(1);
    const events = await drain(second.engine.progress(TENANT, 'op'));
    expect(summary(events)).toEqual([
      ['acc:a', 'SCHEDULED'],
      ['acc:a', 'DELETED'],
    ]);
    expect(provider.calls).toHaveLength(2);
    await second.engine.close();
    await second.store.close();
  });
});
