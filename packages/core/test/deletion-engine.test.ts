import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ProviderResponseError,
  ProviderUnavailableError,
  RateLimitedError,
  TimeoutError,
  UnauthorizedError,
} from '@unreel/provider-spec';
import { IdempotencyConflictError, InvalidInputError, operationKey, type ProgressEvent } from '../src/index.js';
import { drain, harness, ids } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

const TENANT = 'default';
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The engine's timers and clock on vitest's fake clock (setTimeout and Date; setImmediate and I/O stay real), for tests
 * about how long the engine waits: the test moves time, so a busy machine cannot.
 */
function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00.000Z') });
}

afterEach(() => {
  vi.useRealTimers();
});

async function run(h: ReturnType<typeof harness>, videoIds: string[], operationId = 'op') {
  const { operation } = await h.engine.submit({ tenant: TENANT, ids: videoIds, operationId });
  const events = await drain(h.engine.progress(TENANT, operation.id));
  const final = await h.engine.getOperation(TENANT, operation.id);
  return { events, final: final! };
}

function expectGapless(events: ProgressEvent[]): void {
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
}

describe('accept', () => {
  it('validates before journaling anything', async () => {
    const h = harness({ maxIdsPerOperation: 3 });
    await expect(h.engine.submit({ tenant: TENANT, ids: [] })).rejects.toThrow(/at least one/);
    await expect(h.engine.submit({ tenant: TENANT, ids: ids(4) })).rejects.toThrow(/Too many ids: 4 given, at most 3/);
    await expect(h.engine.submit({ tenant: TENANT, ids: ['acc:1', 'nope'] })).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    await expect(h.engine.submit({ tenant: TENANT, ids: ['other:1', 'third:2'] })).rejects.toThrow(
      'Unknown accounts "other", "third"',
    );
    await expect(h.engine.submit({ tenant: TENANT, ids: ['acc:1'], operationId: 'has space' })).rejects.toThrow(
      /operationId/,
    );
    expect(await h.store.listUnfinishedOperations()).toEqual([]);
    expect(h.provider.calls).toEqual([]);
  });

  it('drops duplicates, keeping the first order', async () => {
    const h = harness();
    const { final } = await run(h, ['acc:b', 'acc:a', 'acc:b', 'acc:a', 'acc:c']);
    expect(final.total).toBe(3);
    const page = await h.engine.listItems(TENANT, 'op', { first: 10 });
    expect(page.items.map((item) => item.videoId)).toEqual(['acc:b', 'acc:a', 'acc:c']);
  });

  it('answers a repeated operationId with the same operation and no provider call, and other ids with a conflict', async () => {
    const h = harness();
    await run(h, ids(5));
    const calls = h.provider.calls.length;
    const again = await h.engine.submit({ tenant: TENANT, ids: [...ids(5)].reverse(), operationId: 'op' });
    expect(again.created).toBe(false);
    expect(again.operation.total).toBe(5);
    expect(h.provider.calls.length).toBe(calls);
    await expect(h.engine.submit({ tenant: TENANT, ids: ids(6), operationId: 'op' })).rejects.toSatisfy(
      IdempotencyConflictError.isInstance,
    );
    // Another tenant's operationId is another operation.
    const other = await h.engine.submit({ tenant: 'someone-else', ids: ids(2), operationId: 'op' });
    expect(other.created).toBe(true);
  });
});

describe('plan and run', () => {
  it('chunks by maxBatchSize and never exceeds the account concurrency', async () => {
    const provider = new FakeProvider({ maxBatchSize: 25 });
    provider.latencyMs = 5;
    const h = harness({ provider, limits: { concurrency: 3 } });
    const { final, events } = await run(h, ids(260));
    expect(final.deleted).toBe(260);
    expect(events).toHaveLength(260);
    expect(provider.calls.map((call) => call.ids.length).sort((a, b) => a - b)).toEqual([10, ...Array(10).fill(25)]);
    expect(provider.maxInFlight).toBeLessThanOrEqual(3);
    expect(provider.maxInFlight).toBeGreaterThan(1);
  });

  it('keeps to requestsPerSecond in every rolling second, counting each call until it answered', async () => {
    useFakeClock();
    const provider = new FakeProvider({ maxBatchSize: 1 });
    provider.latencyMs = 50;
    const h = harness({ provider, limits: { requestsPerSecond: 10, concurrency: 10 } });
    const finished = run(h, ids(15));
    await vi.advanceTimersByTimeAsync(2_000);
    await finished;
    // On the fake clock a call's time is the instant the limiter let it go, and it answers 50 ms later: the provider
    // had it by then, so the next window opens a second after that, whatever the call's jitter on the way.
    const times = provider.calls.map((call) => call.at);
    expect(times).toHaveLength(15);
    for (const start of times)
      expect(times.filter((at) => at >= start && at < start + 1_050).length).toBeLessThanOrEqual(10);
    expect(times.at(-1)! - times[0]!).toBe(1_050);
  });

  it('retries retryable failures with backoff, then succeeds', async () => {
    const provider = new FakeProvider();
    provider.script = (_ids, call) => (call <= 2 ? new ProviderUnavailableError({ message: 'busy' }) : undefined);
    const h = harness({ provider });
    const { final, events } = await run(h, ids(3));
    expect(final.status).toBe('SUCCEEDED');
    expect(events.every((event) => event.item.attempts === 3)).toBe(true);
    expect(provider.calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
  });

  it('waits at least as long as Retry-After says', async () => {
    useFakeClock();
    const provider = new FakeProvider();
    provider.script = (_ids, call) =>
      call === 1 ? new RateLimitedError({ message: 'slow down', retryAfterMs: 150 }) : undefined;
    const h = harness({ provider });
    const finished = run(h, ids(2));
    await vi.advanceTimersByTimeAsync(149);
    expect(provider.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const { final } = await finished;
    expect(final.deleted).toBe(2);
    const [first, second] = provider.calls;
    expect(second!.at - first!.at).toBe(150);
  });

  it('does not let a long throttle fail items', async () => {
    const provider = new FakeProvider();
    provider.script = (_ids, call) =>
      call <= 12 ? new RateLimitedError({ message: 'slow down', retryAfterMs: 1 }) : undefined;
    const h = harness({ provider, limits: { maxAttempts: 3 } });
    const { final } = await run(h, ids(2));
    expect(final.deleted).toBe(2);
  });

  it('fails the whole batch at once on a non-retryable error, without retrying', async () => {
    const provider = new FakeProvider();
    provider.script = () => new UnauthorizedError({ message: 'fake answered 401' });
    const h = harness({ provider });
    const { final, events } = await run(h, ids(4));
    expect(final.status).toBe('FAILED');
    expect(provider.calls).toHaveLength(1);
    expect(events.map((event) => event.item.error?.code)).toEqual(Array(4).fill('UNAUTHORIZED'));
  });

  it('ends items FAILED with the last error once attempts run out', async () => {
    const provider = new FakeProvider();
    provider.script = () => new ProviderUnavailableError({ message: 'fake answered 503' });
    const h = harness({ provider, limits: { maxAttempts: 3 } });
    const { final, events } = await run(h, ids(2));
    expect(final.failed).toBe(2);
    expect(provider.calls).toHaveLength(3);
    expect(events[0]?.item).toMatchObject({
      status: 'FAILED',
      attempts: 3,
      error: { code: 'PROVIDER_ERROR', retryable: true },
    });
  });

  it('counts NOT_FOUND after an ambiguous attempt of ours as DELETED', async () => {
    const provider = new FakeProvider();
    provider.script = (batch, call) => {
      if (call !== 1) return undefined;
      for (const id of batch) provider.deleted.add(id); // the provider acted, but its answer never arrived
      return new TimeoutError({ message: 'fake did not answer in time' });
    };
    const h = harness({ provider });
    const { final, events } = await run(h, ['acc:a', 'acc:missing-1']);
    expect(events.map((event) => event.item.status)).toEqual(['DELETED', 'DELETED']);
    expect(final.notFound).toBe(0);
  });

  it('retries a plain Error (a plugin breaking its contract) as ambiguous, and an INVALID_RESPONSE too', async () => {
    for (const thrown of [
      new TypeError('terminated'),
      new ProviderResponseError({ message: 'fake answered 200 with a body that is not JSON' }),
    ]) {
      const provider = new FakeProvider();
      provider.script = (batch, call) => {
        if (call !== 1) return undefined;
        for (const id of batch) provider.deleted.add(id); // acted, then its answer was lost in what was thrown
        return thrown;
      };
      const h = harness({ provider });
      const { final, events } = await run(h, ['acc:a', 'acc:b']);
      expect(events.map((event) => [event.item.status, event.item.attempts])).toEqual([
        ['DELETED', 2],
        ['DELETED', 2],
      ]);
      expect(final).toMatchObject({ status: 'SUCCEEDED', notFound: 0, failed: 0 });
    }
  });

  it('keeps per-item outcomes apart and retries only retryable items', async () => {
    const provider = new FakeProvider();
    provider.refuse.set('p', {
      status: 'FAILED',
      error: { code: 'IN_PROCESSING', message: 'processing', retryable: false },
    });
    let throttled = false;
    provider.script = (batch) => {
      if (throttled || !batch.includes('t')) return undefined;
      throttled = true;
      return batch.map((id) =>
        id === 't'
          ? { status: 'FAILED', error: { code: 'RATE_LIMITED', message: 'per id', retryable: true } }
          : id === 'p'
            ? provider.refuse.get('p')!
            : id.startsWith('missing')
              ? { status: 'NOT_FOUND' }
              : { status: 'DELETED' },
      );
    };
    const h = harness({ provider });
    const { final, events } = await run(h, ['acc:a', 'acc:p', 'acc:t', 'acc:missing']);
    expectGapless(events);
    expect(final).toMatchObject({
      status: 'PARTIALLY_FAILED',
      total: 4,
      deleted: 2,
      failed: 1,
      notFound: 1,
      pending: 0,
    });
    expect(provider.calls.map((call) => call.ids)).toEqual([['a', 'p', 't', 'missing'], ['t']]);
    expect(final.deleted + final.notFound + final.failed + final.pending + final.restored).toBe(final.total);
  });

  it('finishes a 20,000-item operation with gapless events and bounded batches in flight', async () => {
    const provider = new FakeProvider({ maxBatchSize: 50 });
    const h = harness({ provider, limits: { concurrency: 8 }, maxIdsPerOperation: 20_000 });
    const { final, events } = await run(h, ids(20_000));
    expect(final).toMatchObject({ status: 'SUCCEEDED', deleted: 20_000, pending: 0 });
    expect(events).toHaveLength(20_000);
    expectGapless(events);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');
    expect(provider.maxInFlight).toBeLessThanOrEqual(8);
  });
});

describe('progress', () => {
  it('waits for an operation subscribed before it exists, then streams and completes', async () => {
    const h = harness();
    h.provider.latencyMs = 2;
    const pending = drain(h.engine.progress(TENANT, 'later'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await h.engine.submit({ tenant: TENANT, ids: ids(30), operationId: 'later' });
    const events = await pending;
    expect(events).toHaveLength(30);
    expectGapless(events);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');
  });

  it('replays a finished operation from `after`, with no gap and no duplicate', async () => {
    const h = harness();
    await run(h, ids(40));
    const rest = await drain(h.engine.progress(TENANT, 'op', { after: 25 }));
    expect(rest.map((event) => event.sequence)).toEqual(Array.from({ length: 15 }, (_, index) => index + 26));
  });

  it('ends a waiting stream on return() and on abort', async () => {
    const h = harness();
    const stream = h.engine.progress(TENANT, 'never');
    const next = stream.next();
    await stream.return?.();
    expect(await next).toEqual({ value: undefined, done: true });
    const controller = new AbortController();
    const aborted = drain(h.engine.progress(TENANT, 'never', { signal: controller.signal }));
    controller.abort();
    expect(await aborted).toEqual([]);
  });
});

describe('restore', () => {
  it('restores through the provider and journals RESTORED on the item', async () => {
    const h = harness();
    await run(h, ['acc:a']);
    const result = await h.engine.restoreVideo(TENANT, 'acc:a');
    expect(result).toMatchObject({ restored: true, error: null, item: { status: 'RESTORED' } });
    const events = await drain(h.engine.progress(TENANT, 'op'));
    expect(events.map((event) => event.item.status)).toEqual(['DELETED', 'RESTORED']);
    expect((await h.engine.getOperation(TENANT, 'op'))?.restored).toBe(1);
  });

  it('refuses clearly where the provider cannot restore or the window has passed', async () => {
    const permanent = harness({ provider: new FakeProvider({ restore: false }) });
    await run(permanent, ['acc:a']);
    expect((await permanent.engine.restoreVideo(TENANT, 'acc:a')).error?.code).toBe('NOT_RESTORABLE');

    let now = new Date('2026-01-01T00:00:00Z');
    const windowed = harness({ provider: new FakeProvider({ restore: { windowDays: 1 } }), now: () => now });
    const engine = windowed.engine;
    await engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'w' });
    await engine.waitForOperation(TENANT, 'w', 5_000);
    now = new Date('2026-01-03T00:00:00Z');
    expect((await engine.restoreVideo(TENANT, 'acc:a')).error?.code).toBe('RESTORE_WINDOW_EXPIRED');
  });

  it('refuses to restore a video whose deletion is in flight, rather than race our own delete call', async () => {
    const provider = new FakeProvider();
    const release = provider.hold();
    const h = harness({ provider });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'busy' });
    await expect.poll(() => provider.inFlight).toBe(1);
    const result = await h.engine.restoreVideo(TENANT, 'acc:a');
    expect(result).toMatchObject({
      restored: false,
      error: { code: 'DELETION_IN_PROGRESS' },
      item: { status: 'PENDING', attempts: 1 },
    });
    expect(provider.restoreCalls).toEqual([]);
    release();
    const events = await drain(h.engine.progress(TENANT, 'busy'));
    expect(events.map((event) => event.item.status)).toEqual(['DELETED']);
  });

  it("never writes a restore into another tenant's operation that has the same id", async () => {
    const h = harness();
    await h.engine.submit({ tenant: 'tenant-b', ids: ['acc:v2'], operationId: 'op' });
    await h.engine.waitForOperation('tenant-b', 'op', 5_000);
    await h.engine.submit({ tenant: 'tenant-a', ids: ['acc:v1'], operationId: 'op' });
    await h.engine.waitForOperation('tenant-a', 'op', 5_000);
    // acc:v1 was last deleted by tenant-a, at the same position tenant-b's own "op" holds acc:v2.
    const result = await h.engine.restoreVideo('tenant-b', 'acc:v1');
    expect(result.item).toBeNull();
    expect(
      (await h.engine.listItems('tenant-b', 'op', { first: 5 })).items.map((item) => [item.videoId, item.status]),
    ).toEqual([['acc:v2', 'DELETED']]);
    expect(
      (await h.engine.listItems('tenant-a', 'op', { first: 5 })).items.map((item) => [item.videoId, item.status]),
    ).toEqual([['acc:v1', 'DELETED']]);
    expect(await h.engine.getOperation('tenant-b', 'op')).toMatchObject({ restored: 0, deleted: 1 });
  });

  it('holds a deletion for a deleteDelay longer than a timer can (30 days), and runs it when the 30 days are up', async () => {
    useFakeClock();
    const h = harness({ deleteDelayMs: 30 * DAY });
    await h.engine.submit({ tenant: TENANT, ids: ['acc:a'], operationId: 'month' });
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect(h.provider.calls).toEqual([]);
    expect((await h.engine.listItems(TENANT, 'month', { first: 1 })).items[0]?.status).toBe('SCHEDULED');
    await vi.advanceTimersByTimeAsync(1);
    const events = await drain(h.engine.progress(TENANT, 'month'));
    expect(events.map((event) => [event.item.videoId, event.item.status])).toEqual([['acc:a', 'DELETED']]);
    expect(h.provider.calls.map((call) => call.at - Date.parse('2026-01-01T00:00:00.000Z'))).toEqual([30 * DAY]);
  });

  it('holds deletions SCHEDULED under deleteDelay, cancels them on restore, and runs the rest when due', async () => {
    useFakeClock();
    const h = harness({ deleteDelayMs: 15 * MINUTE });
    const { operation } = await h.engine.submit({ tenant: TENANT, ids: ['acc:a', 'acc:b'], operationId: 'held' });
    expect(operation.pending).toBe(2);
    expect((await h.engine.restoreVideo(TENANT, 'acc:a')).restored).toBe(true);
    await vi.advanceTimersByTimeAsync(15 * MINUTE - 1);
    expect(h.provider.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const events = await drain(h.engine.progress(TENANT, 'held'));
    expect(events.map((event) => [event.item.videoId, event.item.status])).toEqual([
      ['acc:a', 'RESTORED'],
      ['acc:b', 'DELETED'],
    ]);
    expect(h.provider.calls.map((call) => call.ids)).toEqual([['b']]);
  });
});

describe('recovery', () => {
  it('leaves in-flight items open and ambiguous on close, and resume() finishes them', async () => {
    const provider = new FakeProvider();
    const release = provider.hold();
    const first = harness({ provider });
    await first.engine.submit({ tenant: TENANT, ids: ids(5), operationId: 'crash' });
    await expect.poll(() => provider.inFlight).toBe(1);
    await first.engine.close();
    const open = await first.store.listOpenItems(operationKey(TENANT, 'crash'), 'acc', { first: 10 });
    expect(open).toHaveLength(5);
    expect(open.every((item) => item.ambiguous && item.attempts === 1)).toBe(true);

    // The first attempt reached the provider after all: on resume it answers NOT_FOUND, which means DELETED.
    for (let index = 1; index <= 5; index += 1) provider.deleted.add(`v${index}`);
    release();
    const second = harness({ provider, store: first.store });
    expect(await second.engine.resume()).toBe(1);
    const events = await drain(second.engine.progress(TENANT, 'crash'));
    expect(events.map((event) => event.item.status)).toEqual(Array(5).fill('DELETED'));
    expect(events.map((event) => event.item.attempts)).toEqual(Array(5).fill(2));
    expectGapless(events);
  });
});
