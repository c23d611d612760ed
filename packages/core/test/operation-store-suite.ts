import { describe, expect, it } from 'vitest';
import {
  OperationExistsError,
  operationKey,
  type DiscoveredPage,
  type ItemStatus,
  type LearnedRateStore,
  type NewOperation,
  type OperationStore,
  type ProgressEvent,
} from '../src/index.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

/** A new operation of these `<account>:<native id>` ids, every item PENDING unless `status` says otherwise. */
export function newOperation(
  id: string,
  videoIds: string[],
  tenant = 't1',
  createdAt = at(0),
  status: (videoId: string) => 'PENDING' | 'SCHEDULED' = () => 'PENDING',
): NewOperation {
  return {
    id,
    tenant,
    fingerprint: `fp-${id}`,
    createdAt,
    items: videoIds.map((videoId) => {
      const separator = videoId.indexOf(':');
      return {
        videoId,
        account: videoId.slice(0, separator),
        nativeId: videoId.slice(separator + 1),
        status: status(videoId),
      };
    }),
  };
}

/** Delete by selection on account `a`: created before minute 30, READY or FAILED, at most `maxItems`. */
function selectionOperation(id: string, maxItems: number): NewOperation {
  return {
    id,
    tenant: 't1',
    fingerprint: `fp-${id}`,
    createdAt: at(0),
    items: [],
    selection: { selection: { account: 'a', createdBefore: at(30), statuses: ['FAILED', 'READY'] }, maxItems },
  };
}

/** A listed page of matching videos of account `a`, as discovery journals it. */
function listedPage(videoIds: string[], nextCursor: string | null, when = at(1)): DiscoveredPage {
  return {
    videos: videoIds.map((videoId) => ({
      videoId,
      account: 'a',
      nativeId: videoId.slice(2),
      status: 'PENDING' as const,
    })),
    nextCursor,
    at: when,
  };
}

const sequences = (events: readonly ProgressEvent[]) => events.map((event) => event.sequence);

/** What the batch runner's outcomes apply to: an item still open (see ItemUpdate.from). */
const OPEN: ItemStatus[] = ['PENDING', 'SCHEDULED'];
/** What a provider's confirmation of a deletion applies to: anything but a restored or never-found video. */
const CONFIRMABLE: ItemStatus[] = ['PENDING', 'SCHEDULED', 'FAILED', 'DELETED'];

/**
 * The contract every OperationStore keeps (with the learned rates kept beside it); each store's test file runs this
 * against a fresh store.
 */
export function describeOperationStore(name: string, createStore: () => OperationStore & LearnedRateStore): void {
  describe(`OperationStore contract: ${name}`, () => {
    it('journals an operation with every item open, unique per tenant', async () => {
      const store = createStore();
      const created = await store.createOperation(newOperation('op', ['a:1', 'b:2', 'a:3']));
      expect(created).toMatchObject({
        id: 'op',
        tenant: 't1',
        status: 'RUNNING',
        total: 3,
        pending: 3,
        lastSequence: 0,
        accounts: ['a', 'b'],
      });
      await expect(store.createOperation(newOperation('op', ['a:9']))).rejects.toSatisfy(
        OperationExistsError.isInstance,
      );
      await expect(store.createOperation(newOperation('op', ['a:9'], 't2'))).resolves.toMatchObject({
        tenant: 't2',
        total: 1,
      });
      expect(await store.getOperation(operationKey('t1', 'op'))).toMatchObject({ total: 3 });
      expect(await store.getOperation(operationKey('t3', 'op'))).toBeNull();
      await store.close();
    });

    it('records updates as gapless events with counts, and the final status on the last one', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2', 'a:3']));
      const first = await store.recordUpdates(key, [
        { position: 1, status: 'DELETED', restorableUntil: at(60), at: at(1) },
        { position: 0, status: 'FAILED', error: { code: 'FORBIDDEN', message: 'no', retryable: false }, at: at(1) },
      ]);
      expect(first.map((event) => [event.sequence, event.item.videoId, event.status, event.completed])).toEqual([
        [1, 'a:2', 'RUNNING', 1],
        [2, 'a:1', 'RUNNING', 2],
      ]);
      const last = await store.recordUpdates(key, [{ position: 2, status: 'NOT_FOUND', at: at(2) }]);
      expect(last[0]).toMatchObject({ sequence: 3, status: 'PARTIALLY_FAILED', completed: 3, total: 3 });
      expect(await store.getOperation(key)).toMatchObject({
        status: 'PARTIALLY_FAILED',
        deleted: 1,
        failed: 1,
        notFound: 1,
        pending: 0,
        lastSequence: 3,
        finishedAt: at(2),
      });
      const restored = await store.recordUpdates(key, [
        { position: 1, status: 'RESTORED', restorableUntil: null, at: at(3) },
      ]);
      expect(restored[0]).toMatchObject({ sequence: 4, status: 'PARTIALLY_FAILED' });
      expect(await store.getOperation(key)).toMatchObject({ deleted: 0, restored: 1 });

      const replay = await store.listEvents(key, 0, 10);
      expect(replay.map((event) => event.sequence)).toEqual([1, 2, 3, 4]);
      // Each event keeps the item as it was then.
      expect(replay[0]?.item).toMatchObject({
        videoId: 'a:2',
        status: 'DELETED',
        restorableUntil: at(60),
        operationId: 'op',
      });
      expect(replay[1]?.item.error).toEqual({ code: 'FORBIDDEN', message: 'no', retryable: false });
      expect((await store.listEvents(key, 2, 1)).map((event) => event.sequence)).toEqual([3]);
      expect(await store.listEvents(operationKey('t1', 'nope'), 0, 10)).toEqual([]);
      await store.close();
    });

    it('pages items by position, by status, and open items by account', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'b:1', 'a:2', 'a:3', 'b:2']));
      await store.recordUpdates(key, [{ position: 2, status: 'DELETED', at: at(1) }]);
      const page = await store.listItems(key, { first: 2 });
      expect(page.items.map((item) => item.videoId)).toEqual(['a:1', 'b:1']);
      expect(page.hasNextPage).toBe(true);
      const rest = await store.listItems(key, { first: 5, after: page.items[1]!.position });
      expect(rest.items.map((item) => item.videoId)).toEqual(['a:2', 'a:3', 'b:2']);
      expect(rest.hasNextPage).toBe(false);
      expect((await store.listItems(key, { first: 5, status: 'DELETED' })).items.map((item) => item.videoId)).toEqual([
        'a:2',
      ]);
      expect((await store.listOpenItems(key, 'a', { first: 5 })).map((item) => item.videoId)).toEqual(['a:1', 'a:3']);
      expect((await store.listOpenItems(key, 'a', { first: 5, after: 0 })).map((item) => item.videoId)).toEqual([
        'a:3',
      ]);
      await store.close();
    });

    it('journals attempts and ambiguity before outcomes are known', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2']));
      await store.markAttempt(key, [0, 1]);
      await store.markAttempt(key, [0]);
      await store.clearAmbiguous(key, [1]);
      const items = (await store.listItems(key, { first: 5 })).items;
      expect(items.map((item) => [item.attempts, item.ambiguous])).toEqual([
        [2, true],
        [1, false],
      ]);
      await store.recordUpdates(key, [{ position: 0, status: 'DELETED', at: at(1) }]);
      expect((await store.listItems(key, { first: 1 })).items[0]).toMatchObject({
        status: 'DELETED',
        ambiguous: false,
        attempts: 2,
      });
      await store.close();
    });

    it('finds the newest item per video, lists unfinished operations and purges old finished ones', async () => {
      const store = createStore();
      await store.createOperation(newOperation('old', ['a:1'], 't1', at(0)));
      await store.recordUpdates(operationKey('t1', 'old'), [
        { position: 0, status: 'FAILED', error: { code: 'X', message: 'x', retryable: true }, at: at(1) },
      ]);
      await store.createOperation(newOperation('new', ['a:1', 'a:2'], 't1', at(5)));
      await store.createOperation(newOperation('other-tenant', ['a:1'], 't2', at(6)));
      const latest = await store.latestItems('t1', ['a:1', 'a:2', 'a:404']);
      expect(latest.get('a:1')).toMatchObject({ operationId: 'new', status: 'PENDING' });
      expect(latest.has('a:404')).toBe(false);
      // Another tenant's newer deletion of the same video is not this tenant's to see.
      expect((await store.latestItems('t2', ['a:1', 'a:2'])).get('a:1')).toMatchObject({ operationId: 'other-tenant' });
      expect((await store.latestItems('t2', ['a:2'])).has('a:2')).toBe(false);
      expect((await store.latestItems('t3', ['a:1'])).size).toBe(0);
      expect((await store.listUnfinishedOperations()).map((operation) => operation.id)).toEqual([
        'new',
        'other-tenant',
      ]);
      expect(await store.purgeFinishedBefore(at(2))).toBe(1);
      expect(await store.getOperation(operationKey('t1', 'old'))).toBeNull();
      expect(await store.getOperation(operationKey('t1', 'new'))).not.toBeNull();
      expect(await store.purgeFinishedBefore(at(100))).toBe(0);
      await store.close();
    });

    it('marks only open items, and cancels a held item only while it is SCHEDULED and was never sent', async () => {
      const store = createStore();
      const key = operationKey('t1', 'held');
      await store.createOperation(
        newOperation('held', ['a:1', 'a:2', 'a:3'], 't1', at(0), (videoId) =>
          videoId === 'a:3' ? 'PENDING' : 'SCHEDULED',
        ),
      );
      const cancelled = await store.cancelScheduled(key, 0, at(1));
      expect(cancelled).toMatchObject({
        sequence: 1,
        item: { videoId: 'a:1', status: 'RESTORED', attempts: 0 },
        completed: 1,
        status: 'RUNNING',
      });
      expect(await store.markAttempt(key, [0, 1, 2])).toEqual([1, 2]);
      expect(await store.cancelScheduled(key, 1, at(2))).toBeNull();
      expect(await store.cancelScheduled(key, 2, at(2))).toBeNull();
      expect(await store.cancelScheduled(key, 0, at(2))).toBeNull();
      const items = (await store.listItems(key, { first: 5 })).items;
      expect(items.map((item) => [item.status, item.attempts, item.ambiguous])).toEqual([
        ['RESTORED', 0, false],
        ['SCHEDULED', 1, true],
        ['PENDING', 1, true],
      ]);
      expect(await store.getOperation(key)).toMatchObject({ restored: 1, pending: 2, lastSequence: 1 });
      expect(sequences(await store.listEvents(key, 0, 10))).toEqual([1]);
      await store.close();
    });

    it("uses a caller's view of the items only where the journal agrees with it", async () => {
      const store = createStore();
      const key = operationKey('t1', 'seen');
      await store.createOperation(newOperation('seen', ['a:1', 'a:2', 'a:3', 'a:4']));
      const unmarked = await store.listOpenItems(key, 'a', { first: 10 });
      await store.markAttempt(key, [0, 1, 2, 3]);
      const marked = await store.listOpenItems(key, 'a', { first: 10 });
      expect(marked.map((item) => [item.nativeId, item.attempts, item.ambiguous])).toEqual([
        ['1', 1, true],
        ['2', 1, true],
        ['3', 1, true],
        ['4', 1, true],
      ]);

      // Up to date: the events say what the journal says.
      const fresh = await store.recordUpdates(
        key,
        [0, 1].map((position) => ({
          position,
          status: 'DELETED' as const,
          restorableUntil: at(60),
          at: at(1),
          seen: marked[position],
        })),
      );
      expect(
        fresh.map((event) => [event.item.videoId, event.item.attempts, event.item.ambiguous, event.completed]),
      ).toEqual([
        ['a:1', 1, false, 1],
        ['a:2', 1, false, 2],
      ]);
      // Out of date (seen before the attempt): the journal wins.
      const stale = await store.recordUpdates(
        key,
        [2, 3].map((position) => ({
          position,
          status: 'FAILED' as const,
          error: { code: 'X', message: 'x', retryable: false },
          at: at(2),
          seen: unmarked[position],
        })),
      );
      expect(stale.map((event) => [event.item.videoId, event.item.attempts, event.status])).toEqual([
        ['a:3', 1, 'RUNNING'],
        ['a:4', 1, 'PARTIALLY_FAILED'],
      ]);
      // Seen as open, but it is DELETED by now: counts move from deleted, not from pending.
      const late = await store.recordUpdates(key, [
        { position: 0, status: 'RESTORED', restorableUntil: null, at: at(3), seen: marked[0] },
      ]);
      expect(late[0]).toMatchObject({
        sequence: 5,
        completed: 4,
        item: { status: 'RESTORED', attempts: 1, restorableUntil: null },
      });
      expect(await store.getOperation(key)).toMatchObject({
        deleted: 1,
        restored: 1,
        failed: 2,
        pending: 0,
        lastSequence: 5,
        status: 'PARTIALLY_FAILED',
      });
      const items = (await store.listItems(key, { first: 10 })).items;
      expect(items.map((item) => [item.status, item.attempts, item.error?.code ?? null])).toEqual([
        ['RESTORED', 1, null],
        ['DELETED', 1, null],
        ['FAILED', 1, 'X'],
        ['FAILED', 1, 'X'],
      ]);
      expect(items[1]?.restorableUntil).toEqual(at(60));
      await store.close();
    });

    it("leaves nothing of a caller's view that is only partly out of date", async () => {
      const store = createStore();
      const key = operationKey('t1', 'partly');
      await store.createOperation(newOperation('partly', ['a:1', 'a:2', 'a:3', 'a:4']));
      await store.markAttempt(key, [0, 1, 2, 3]);
      const marked = await store.listOpenItems(key, 'a', { first: 10 });
      // Only the third item changed since it was seen.
      await store.clearAmbiguous(key, [2]);
      const error = { code: 'X', message: 'x', retryable: false };
      const events = await store.recordUpdates(key, [
        { position: 0, status: 'DELETED', at: at(1), seen: marked[0] },
        { position: 1, status: 'DELETED', at: at(1), seen: marked[1] },
        { position: 2, status: 'FAILED', error, at: at(1), seen: marked[2] },
      ]);
      const described = (list: readonly ProgressEvent[]) =>
        list.map((event) => [event.sequence, event.item.videoId, event.item.status, event.completed, event.status]);
      const expected = [
        [1, 'a:1', 'DELETED', 1, 'RUNNING'],
        [2, 'a:2', 'DELETED', 2, 'RUNNING'],
        [3, 'a:3', 'FAILED', 3, 'RUNNING'],
      ];
      expect(described(events)).toEqual(expected);
      expect(described(await store.listEvents(key, 0, 10))).toEqual(expected);
      expect(await store.getOperation(key)).toMatchObject({ deleted: 2, failed: 1, pending: 1, lastSequence: 3 });
      expect(
        (await store.listItems(key, { first: 10 })).items.map((item) => [item.status, item.attempts, item.ambiguous]),
      ).toEqual([
        ['DELETED', 1, false],
        ['DELETED', 1, false],
        ['FAILED', 1, false],
        ['PENDING', 1, true],
      ]);
      await store.close();
    });

    it('applies concurrent writes in call order: gapless, each event where its call was', async () => {
      const store = createStore();
      const key = operationKey('t1', 'many');
      const videoIds = Array.from({ length: 60 }, (_, index) => `a:${index}`);
      await store.createOperation(newOperation('many', videoIds));
      // Not awaited one by one: a store may commit them together, but never out of order.
      const writes = videoIds.map((_, position) =>
        position % 3 === 0
          ? store
              .markAttempt(key, [position])
              .then(() => store.recordUpdates(key, [{ position, status: 'DELETED', at: at(1) }]))
          : store.recordUpdates(key, [{ position, status: position % 3 === 1 ? 'NOT_FOUND' : 'DELETED', at: at(1) }]),
      );
      const events = (await Promise.all(writes)).flat();
      expect(sequences(events).sort((a, b) => a - b)).toEqual(videoIds.map((_, index) => index + 1));
      const replay = await store.listEvents(key, 0, 100);
      expect(sequences(replay)).toEqual(videoIds.map((_, index) => index + 1));
      expect(replay.map((event) => event.completed)).toEqual(videoIds.map((_, index) => index + 1));
      expect(replay.at(-1)?.status).toBe('SUCCEEDED');
      // Writes not held back by an attempt come first, in the order they were called.
      const direct = videoIds
        .map((videoId, position) => ({ videoId, position }))
        .filter(({ position }) => position % 3 !== 0);
      expect(replay.slice(0, direct.length).map((event) => event.item.videoId)).toEqual(
        direct.map(({ videoId }) => videoId),
      );
      expect(await store.getOperation(key)).toMatchObject({ deleted: 40, notFound: 20, pending: 0 });
      await store.close();
    });

    it('handles scattered items and the same item twice in one write', async () => {
      const store = createStore();
      const key = operationKey('t1', 'scatter');
      await store.createOperation(newOperation('scatter', ['a:0', 'b:1', 'a:2', 'b:3', 'a:4', 'b:5']));
      await store.markAttempt(key, [4, 0, 2]);
      const events = await store.recordUpdates(key, [
        { position: 4, status: 'DELETED', restorableUntil: at(9), at: at(1) },
        { position: 0, status: 'FAILED', error: { code: 'FORBIDDEN', message: 'no', retryable: false }, at: at(1) },
        { position: 4, status: 'RESTORED', restorableUntil: null, at: at(2) },
        { position: 2, status: 'DELETED', restorableUntil: at(9), at: at(1) },
      ]);
      expect(
        events.map((event) => [
          event.sequence,
          event.item.videoId,
          event.item.status,
          event.item.attempts,
          event.completed,
        ]),
      ).toEqual([
        [1, 'a:4', 'DELETED', 1, 1],
        [2, 'a:0', 'FAILED', 1, 2],
        [3, 'a:4', 'RESTORED', 1, 2],
        [4, 'a:2', 'DELETED', 1, 3],
      ]);
      expect(events[0]?.item.restorableUntil).toEqual(at(9));
      expect(
        (await store.listEvents(key, 0, 10)).map((event) => [
          event.item.videoId,
          event.item.status,
          event.item.restorableUntil,
        ]),
      ).toEqual([
        ['a:4', 'DELETED', at(9)],
        ['a:0', 'FAILED', null],
        ['a:4', 'RESTORED', null],
        ['a:2', 'DELETED', at(9)],
      ]);
      expect(await store.getOperation(key)).toMatchObject({ deleted: 1, failed: 1, restored: 1, pending: 3 });
      expect(
        (await store.listOpenItems(key, 'b', { first: 10 })).map((item) => [
          item.videoId,
          item.account,
          item.nativeId,
          item.attempts,
        ]),
      ).toEqual([
        ['b:1', 'b', '1', 0],
        ['b:3', 'b', '3', 0],
        ['b:5', 'b', '5', 0],
      ]);
      await store.close();
    });

    it('fails a write about an item that does not exist on its own, and applies the others', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2']));
      const [bad, good, unknown] = await Promise.allSettled([
        store.recordUpdates(key, [{ position: 7, status: 'DELETED', at: at(1) }]),
        store.recordUpdates(key, [{ position: 1, status: 'DELETED', at: at(1) }]),
        store.markAttempt(operationKey('t1', 'nope'), [0]),
      ]);
      expect(bad.status).toBe('rejected');
      expect(unknown.status).toBe('rejected');
      expect(good).toMatchObject({ status: 'fulfilled', value: [{ sequence: 1, item: { videoId: 'a:2' } }] });
      expect(await store.getOperation(key)).toMatchObject({ deleted: 1, pending: 1, lastSequence: 1 });
      await store.close();
    });

    it('purges an operation with its items and events, and nothing unfinished or recent', async () => {
      const store = createStore();
      await store.createOperation(newOperation('old', ['a:1', 'a:2'], 't1', at(0)));
      await store.recordUpdates(operationKey('t1', 'old'), [
        { position: 0, status: 'DELETED', at: at(1) },
        { position: 1, status: 'NOT_FOUND', at: at(1) },
      ]);
      await store.createOperation(newOperation('open', ['a:3'], 't1', at(0)));
      await store.createOperation(newOperation('recent', ['a:4'], 't2', at(0)));
      await store.recordUpdates(operationKey('t2', 'recent'), [{ position: 0, status: 'DELETED', at: at(30) }]);
      expect(await store.purgeFinishedBefore(at(10))).toBe(1);
      expect(await store.listEvents(operationKey('t1', 'old'), 0, 10)).toEqual([]);
      expect(await store.listItems(operationKey('t1', 'old'), { first: 10 })).toEqual({
        items: [],
        hasNextPage: false,
      });
      expect([...(await store.latestItems('t1', ['a:1', 'a:3', 'a:4'])).keys()]).toEqual(['a:3']);
      expect([...(await store.latestItems('t2', ['a:1', 'a:3', 'a:4'])).keys()]).toEqual(['a:4']);
      expect((await store.listUnfinishedOperations()).map((operation) => operation.id)).toEqual(['open']);
      // The id is free again: a retry after the retention is a new operation.
      await expect(store.createOperation(newOperation('old', ['a:9'], 't1', at(40)))).resolves.toMatchObject({
        total: 1,
      });
      await store.close();
    });

    it("keeps the first final outcome: our own call's answer after a provider's confirmation adds no event", async () => {
      const store = createStore();
      const key = operationKey('t1', 'race');
      await store.createOperation(newOperation('race', ['a:1', 'a:2', 'a:3']));
      await store.markAttempt(key, [0, 1, 2]);
      const inFlight = await store.listOpenItems(key, 'a', { first: 10 });
      // The provider's webhook comes while our calls are still in flight, and closes two of the items.
      const confirmed = await store.recordUpdates(key, [
        { position: 0, status: 'DELETED', error: null, confirmedAt: at(2), at: at(2), from: CONFIRMABLE },
        { position: 1, status: 'DELETED', error: null, confirmedAt: at(2), at: at(2), from: CONFIRMABLE },
      ]);
      expect(confirmed.map((event) => [event.sequence, event.item.videoId, event.item.confirmedAt])).toEqual([
        [1, 'a:1', at(2)],
        [2, 'a:2', at(2)],
      ]);
      // Then the answers, each for the item as the runner saw it in flight: only the item still open gets an event.
      const answered = await store.recordUpdates(key, [
        {
          position: 0,
          status: 'DELETED',
          error: null,
          restorableUntil: at(60),
          at: at(3),
          seen: inFlight[0],
          from: OPEN,
        },
        {
          position: 1,
          status: 'FAILED',
          error: { code: 'PROVIDER_ERROR', message: 'no', retryable: false },
          at: at(3),
          seen: inFlight[1],
          from: OPEN,
        },
        {
          position: 2,
          status: 'DELETED',
          error: null,
          restorableUntil: at(60),
          at: at(3),
          seen: inFlight[2],
          from: OPEN,
        },
      ]);
      expect(answered.map((event) => [event.sequence, event.item.videoId, event.completed, event.status])).toEqual([
        [3, 'a:3', 3, 'SUCCEEDED'],
      ]);
      expect((await store.listEvents(key, 0, 10)).map((event) => [event.sequence, event.item.videoId])).toEqual([
        [1, 'a:1'],
        [2, 'a:2'],
        [3, 'a:3'],
      ]);
      expect(await store.getOperation(key)).toMatchObject({
        status: 'SUCCEEDED',
        deleted: 3,
        failed: 0,
        pending: 0,
        lastSequence: 3,
      });
      const items = (await store.listItems(key, { first: 10 })).items;
      // The answer that agrees adds only what the confirmation did not know; the one that disagrees changes nothing.
      expect(items[0]).toMatchObject({
        status: 'DELETED',
        confirmedAt: at(2),
        restorableUntil: at(60),
        updatedAt: at(3),
      });
      expect(items[1]).toMatchObject({ status: 'DELETED', error: null, confirmedAt: at(2), restorableUntil: null });
      expect(items[1]?.updatedAt).toEqual(at(2));
      expect(items[2]).toMatchObject({ status: 'DELETED', confirmedAt: null, restorableUntil: at(60) });
      await store.close();
    });

    it("only sets confirmedAt when a provider's confirmation comes after our own call's answer, and lets a late failure change a finished status", async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2']));
      await store.recordUpdates(key, [
        { position: 0, status: 'DELETED', restorableUntil: at(60), at: at(1) },
        { position: 1, status: 'DELETED', at: at(1) },
      ]);
      expect(await store.getOperation(key)).toMatchObject({ status: 'SUCCEEDED', finishedAt: at(1), lastSequence: 2 });
      expect(
        await store.recordUpdates(key, [
          { position: 0, status: 'DELETED', error: null, confirmedAt: at(2), at: at(3), from: CONFIRMABLE },
        ]),
      ).toEqual([]);
      // A second confirmation keeps the first one's time.
      expect(
        await store.recordUpdates(key, [
          { position: 0, status: 'DELETED', error: null, confirmedAt: at(5), at: at(5), from: CONFIRMABLE },
        ]),
      ).toEqual([]);
      expect(await store.getOperation(key)).toMatchObject({ status: 'SUCCEEDED', deleted: 2, lastSequence: 2 });
      // confirmedAt is on the item, and restorableUntil is left as it was.
      expect((await store.listItems(key, { first: 1 })).items[0]).toMatchObject({
        status: 'DELETED',
        confirmedAt: at(2),
        restorableUntil: at(60),
        updatedAt: at(3),
      });
      expect((await store.latestItems('t1', ['a:1'])).get('a:1')?.confirmedAt).toEqual(at(2));

      // The provider reports afterwards that a deletion failed: a new outcome, so an event, and the status follows.
      const [failed] = await store.recordUpdates(key, [
        {
          position: 1,
          status: 'FAILED',
          error: { code: 'DELETE_FAILED', message: 'no', retryable: false },
          confirmedAt: null,
          restorableUntil: null,
          at: at(4),
          from: ['DELETED'],
        },
      ]);
      expect(failed).toMatchObject({ sequence: 3, status: 'PARTIALLY_FAILED' });
      expect(await store.getOperation(key)).toMatchObject({
        status: 'PARTIALLY_FAILED',
        deleted: 1,
        failed: 1,
        finishedAt: at(1),
      });
      const replay = await store.listEvents(key, 0, 10);
      expect(replay.map((event) => [event.sequence, event.item.status, event.item.confirmedAt])).toEqual([
        [1, 'DELETED', null],
        [2, 'DELETED', null],
        [3, 'FAILED', null],
      ]);
      await store.close();
    });

    it('applies an update only to an item in one of the statuses it names, checked in the same write', async () => {
      const store = createStore();
      const key = operationKey('t1', 'cas');
      await store.createOperation(newOperation('cas', ['a:1', 'a:2']));
      await store.recordUpdates(key, [
        { position: 0, status: 'DELETED', at: at(1) },
        { position: 1, status: 'NOT_FOUND', at: at(1) },
      ]);
      await store.recordUpdates(key, [{ position: 0, status: 'RESTORED', restorableUntil: null, at: at(2) }]);
      // Read before the restore (or the not-found), applied after it: a confirmation about a deletion no longer there.
      expect(
        await store.recordUpdates(key, [
          { position: 0, status: 'DELETED', error: null, confirmedAt: at(3), at: at(3), from: CONFIRMABLE },
          { position: 1, status: 'DELETED', error: null, confirmedAt: at(3), at: at(3), from: CONFIRMABLE },
          {
            position: 0,
            status: 'FAILED',
            error: { code: 'DELETE_FAILED', message: 'no', retryable: false },
            at: at(3),
            from: ['DELETED'],
          },
        ]),
      ).toEqual([]);
      expect(
        (await store.listItems(key, { first: 10 })).items.map((item) => [
          item.status,
          item.confirmedAt,
          item.updatedAt,
        ]),
      ).toEqual([
        ['RESTORED', null, at(2)],
        ['NOT_FOUND', null, at(1)],
      ]);
      expect(await store.getOperation(key)).toMatchObject({ restored: 1, notFound: 1, lastSequence: 3 });
      await store.close();
    });

    it('keeps whenBlocked, and an item waiting for its provider: its refusal with retryAfter and its next attempt', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation({ ...newOperation('op', ['a:1', 'a:2', 'a:3']), whenBlocked: 'WAIT' });
      await store.createOperation(newOperation('default', ['a:1']));
      expect(await store.getOperation(key)).toMatchObject({ whenBlocked: 'WAIT' });
      expect(await store.getOperation(operationKey('t1', 'default'))).toMatchObject({ whenBlocked: null });
      await store.markAttempt(key, [0, 1, 2]);
      await store.clearAmbiguous(key, [0, 1, 2]);
      const refusal = { code: 'TOO_RECENT', message: 'later', retryable: true, transient: false, retryAfter: at(240) };
      const waiting = await store.recordUpdates(
        key,
        [0, 1, 2].map((position) => ({
          position,
          status: 'SCHEDULED' as const,
          error: refusal,
          nextAttemptAt: at(240),
          at: at(1),
          from: OPEN,
        })),
      );
      // Still open: an event each, nothing completed.
      expect(waiting.map((event) => [event.item.status, event.completed, event.item.nextAttemptAt])).toEqual([
        ['SCHEDULED', 0, at(240)],
        ['SCHEDULED', 0, at(240)],
        ['SCHEDULED', 0, at(240)],
      ]);
      expect((await store.listOpenItems(key, 'a', { first: 10 })).map((item) => item.nextAttemptAt)).toEqual([
        at(240),
        at(240),
        at(240),
      ]);
      const [item] = (await store.listItems(key, { first: 1 })).items;
      expect(item).toMatchObject({ status: 'SCHEDULED', error: refusal, nextAttemptAt: at(240), ambiguous: false });
      expect(item?.error?.retryAfter).toBeInstanceOf(Date);
      expect((await store.listEvents(key, 0, 1))[0]?.item.error).toEqual(refusal);
      // Sent again when due: the outcome closes it, and it waits for nothing any more.
      await store.markAttempt(key, [0, 1]);
      const done = await store.recordUpdates(key, [
        { position: 0, status: 'DELETED', error: null, at: at(241), from: OPEN },
        { position: 1, status: 'FAILED', error: { ...refusal, retryAfter: at(480) }, at: at(241), from: OPEN },
      ]);
      expect(done.map((event) => [event.item.status, event.item.nextAttemptAt, event.item.attempts])).toEqual([
        ['DELETED', null, 2],
        ['FAILED', null, 2],
      ]);
      expect((await store.listItems(key, { first: 3 })).items.map((entry) => entry.error?.retryAfter ?? null)).toEqual([
        null,
        at(480),
        at(240),
      ]);
      await store.close();
    });

    it('cancels every open item no call may have reached in one write, and the operation ends CANCELLED', async () => {
      const store = createStore();
      const key = operationKey('t1', 'cancel');
      await store.createOperation(
        newOperation('cancel', ['a:1', 'a:2', 'a:3', 'a:4', 'a:5'], 't1', at(0), (videoId) =>
          videoId === 'a:5' ? 'SCHEDULED' : 'PENDING',
        ),
      );
      await store.recordUpdates(key, [{ position: 0, status: 'DELETED', at: at(1), from: OPEN }]);
      // a:2 is in flight; a:3 was sent once and certainly refused (a throttle): no call reached it.
      await store.markAttempt(key, [1, 2]);
      await store.clearAmbiguous(key, [2]);

      const cancelled = await store.cancelOperation(key, at(2));
      expect(
        cancelled?.events.map((event) => [event.sequence, event.item.videoId, event.item.status, event.status]),
      ).toEqual([
        [2, 'a:3', 'CANCELLED', 'RUNNING'],
        [3, 'a:4', 'CANCELLED', 'RUNNING'],
        [4, 'a:5', 'CANCELLED', 'RUNNING'],
      ]);
      expect(cancelled?.operation).toMatchObject({ status: 'RUNNING', cancelled: 3, deleted: 1, pending: 1 });
      expect(cancelled?.events[0]?.item).toMatchObject({ attempts: 1, ambiguous: false, error: null });
      // The call in flight answers: its item gets its real outcome, which is the operation's last event.
      const answered = await store.recordUpdates(key, [{ position: 1, status: 'DELETED', at: at(3), from: OPEN }]);
      expect(answered.map((event) => [event.sequence, event.item.status, event.status, event.completed])).toEqual([
        [5, 'DELETED', 'CANCELLED', 5],
      ]);
      const finished = await store.getOperation(key);
      expect(finished).toMatchObject({ status: 'CANCELLED', deleted: 2, cancelled: 3, pending: 0, finishedAt: at(3) });
      // Once final, a cancelled item takes no outcome of a call (ItemUpdate.from): one final event per item.
      expect(await store.recordUpdates(key, [{ position: 2, status: 'DELETED', at: at(4), from: OPEN }])).toEqual([]);
      // Again, or once finished: the operation as it is, and nothing written.
      expect(await store.cancelOperation(key, at(5))).toEqual({ operation: finished, events: [] });
      expect(sequences(await store.listEvents(key, 0, 10))).toEqual([1, 2, 3, 4, 5]);
      expect(await store.cancelOperation(operationKey('t2', 'cancel'), at(5))).toBeNull();
      await store.close();
    });

    it('leaves a finished operation as it is when cancelled, and finishes one with nothing in flight at once', async () => {
      const store = createStore();
      const done = operationKey('t1', 'done');
      await store.createOperation(newOperation('done', ['a:1']));
      await store.recordUpdates(done, [{ position: 0, status: 'DELETED', at: at(1) }]);
      const before = await store.getOperation(done);
      expect(await store.cancelOperation(done, at(2))).toEqual({ operation: before, events: [] });

      const idle = operationKey('t1', 'idle');
      await store.createOperation(newOperation('idle', ['a:1', 'a:2']));
      const result = await store.cancelOperation(idle, at(3));
      expect(result?.events.map((event) => [event.item.videoId, event.status])).toEqual([
        ['a:1', 'RUNNING'],
        ['a:2', 'CANCELLED'],
      ]);
      expect(result?.operation).toMatchObject({ status: 'CANCELLED', cancelled: 2, pending: 0, finishedAt: at(3) });
      expect(await store.listUnfinishedOperations()).toEqual([]);
      expect((await store.listItems(idle, { first: 5, status: 'CANCELLED' })).items).toHaveLength(2);
      await store.close();
    });

    it('takes back the attempt of a call never made and cancels its items, if still open', async () => {
      const store = createStore();
      const key = operationKey('t1', 'unsent');
      await store.createOperation(newOperation('unsent', ['a:1', 'a:2', 'a:3']));
      await store.markAttempt(key, [0, 1, 2]);
      await store.recordUpdates(key, [{ position: 2, status: 'DELETED', at: at(1), from: OPEN }]);
      const events = await store.cancelUnsent(key, [0, 2], at(2));
      expect(events.map((event) => [event.item.videoId, event.item.status, event.item.attempts])).toEqual([
        ['a:1', 'CANCELLED', 0],
      ]);
      const items = (await store.listItems(key, { first: 5 })).items;
      expect(items.map((item) => [item.status, item.attempts, item.ambiguous])).toEqual([
        ['CANCELLED', 0, false],
        ['PENDING', 1, true],
        ['DELETED', 1, false],
      ]);
      expect(await store.getOperation(key)).toMatchObject({ cancelled: 1, deleted: 1, pending: 1 });
      await store.close();
    });

    it("lists a tenant's operations newest first, by id on a tie, a page at a time, by status", async () => {
      const store = createStore();
      // Created out of order, two at the same instant, one of another tenant in between.
      await store.createOperation(newOperation('b', ['a:1'], 't1', at(1)));
      await store.createOperation(newOperation('old', ['a:1'], 't1', at(0)));
      await store.createOperation(newOperation('other', ['a:1'], 't2', at(5)));
      await store.createOperation(newOperation('c', ['a:1'], 't1', at(1)));
      await store.createOperation(newOperation('new', ['a:1', 'a:2'], 't1', at(3)));
      await store.recordUpdates(operationKey('t1', 'c'), [{ position: 0, status: 'DELETED', at: at(4) }]);
      await store.cancelOperation(operationKey('t1', 'old'), at(4));

      const ids = (page: { operations: { id: string }[] }) => page.operations.map((operation) => operation.id);
      const first = await store.listOperations('t1', { first: 2 });
      expect([ids(first), first.hasNextPage]).toEqual([['new', 'c'], true]);
      const last = first.operations.at(-1);
      const second = await store.listOperations('t1', {
        first: 2,
        ...(last ? { after: { createdAt: last.createdAt, id: last.id } } : {}),
      });
      expect([ids(second), second.hasNextPage]).toEqual([['b', 'old'], false]);
      expect(second.operations[1]).toMatchObject({ status: 'CANCELLED', cancelled: 1, tenant: 't1' });
      expect(ids(await store.listOperations('t1', { first: 10, status: 'RUNNING' }))).toEqual(['new', 'b']);
      expect(
        ids(
          await store.listOperations('t1', {
            first: 10,
            status: 'RUNNING',
            after: { createdAt: at(1), id: 'c' },
          }),
        ),
      ).toEqual(['b']);
      expect(ids(await store.listOperations('t1', { first: 10, status: 'SUCCEEDED' }))).toEqual(['c']);
      expect(ids(await store.listOperations('t2', { first: 10 }))).toEqual(['other']);
      expect(await store.listOperations('t3', { first: 10 })).toEqual({ operations: [], hasNextPage: false });
      await store.close();
    });

    it('remembers webhook deliveries per account once, and forgets them with the retention', async () => {
      const store = createStore();
      expect(await store.hasDelivery('a', 'evt-1')).toBe(false);
      expect(await store.recordDelivery('a', 'evt-1', at(1))).toBe(true);
      expect(await store.recordDelivery('a', 'evt-1', at(2))).toBe(false);
      expect(await store.hasDelivery('a', 'evt-1')).toBe(true);
      // The same id from another account is another delivery.
      expect(await store.hasDelivery('b', 'evt-1')).toBe(false);
      expect(await store.recordDelivery('b', 'evt-1', at(10))).toBe(true);
      await store.purgeFinishedBefore(at(5));
      expect(await store.hasDelivery('a', 'evt-1')).toBe(false);
      expect(await store.hasDelivery('b', 'evt-1')).toBe(true);
      await store.close();
    });

    it('keeps one learned rate per account, the latest saved', async () => {
      const store = createStore();
      expect(await store.listLearnedRates()).toEqual([]);
      await store.saveLearnedRate({
        account: 'a',
        requestsPerSecond: 15,
        configuredRequestsPerSecond: 30,
        learnedAt: at(1),
      });
      await store.saveLearnedRate({
        account: 'b',
        requestsPerSecond: 0.5,
        configuredRequestsPerSecond: 2,
        learnedAt: at(1),
      });
      await store.saveLearnedRate({
        account: 'a',
        requestsPerSecond: 9,
        configuredRequestsPerSecond: 30,
        learnedAt: at(2),
      });
      const rates = await store.listLearnedRates();
      expect([...rates].sort((x, y) => x.account.localeCompare(y.account))).toEqual([
        { account: 'a', requestsPerSecond: 9, configuredRequestsPerSecond: 30, learnedAt: at(2) },
        { account: 'b', requestsPerSecond: 0.5, configuredRequestsPerSecond: 2, learnedAt: at(1) },
      ]);
      // Purging finished operations is about operations: what was learned of an account stays.
      await store.purgeFinishedBefore(at(60));
      expect(await store.listLearnedRates()).toHaveLength(2);
      await store.close();
    });

    it('journals a selection discovering, appends each page once with its events, and moves passes on', async () => {
      const store = createStore();
      const key = operationKey('t1', 'sel');
      const created = await store.createOperation(selectionOperation('sel', 5));
      expect(created).toMatchObject({ total: 0, pending: 0, status: 'RUNNING', accounts: ['a'] });
      expect(created.selection).toEqual({
        selection: { account: 'a', createdBefore: at(30), statuses: ['FAILED', 'READY'] },
        maxItems: 5,
        discovery: 'DISCOVERING',
        cursor: null,
        pass: 1,
        passFound: 0,
        error: null,
      });
      // Nothing open, but discovering: resumed at start.
      expect((await store.listUnfinishedOperations()).map((operation) => operation.id)).toEqual(['sel']);
      const first = await store.appendDiscovered(key, listedPage(['a:1', 'a:2', 'a:1'], 'c1'));
      expect(first.events.map((event) => [event.sequence, event.item.videoId, event.item.status, event.total])).toEqual(
        [
          [1, 'a:1', 'PENDING', 1],
          [2, 'a:2', 'PENDING', 2],
        ],
      );
      expect(first.events.every((event) => event.discovery === 'DISCOVERING' && event.completed === 0)).toBe(true);
      expect(first.operation).toMatchObject({ total: 2, pending: 2, lastSequence: 2 });
      expect(first.operation.selection).toMatchObject({ cursor: 'c1', pass: 1, passFound: 2 });
      // A shifted listing gives a known video again: dropped; the pass ends with the last page and another begins.
      const second = await store.appendDiscovered(key, listedPage(['a:2', 'a:3'], null));
      expect(second.events.map((event) => [event.sequence, event.item.videoId, event.item.position])).toEqual([
        [3, 'a:3', 2],
      ]);
      expect(second.operation.selection).toMatchObject({ cursor: null, pass: 2, passFound: 0 });
      await store.recordUpdates(
        key,
        [0, 1, 2].map((position) => ({ position, status: 'DELETED', at: at(2) })),
      );
      // Every item closed, but discovery goes on: the operation does not finish.
      expect(await store.getOperation(key)).toMatchObject({ status: 'RUNNING', pending: 0, finishedAt: null });
      const replay = await store.listEvents(key, 0, 10);
      expect(replay.map((event) => [event.sequence, event.item.status])).toEqual([
        [1, 'PENDING'],
        [2, 'PENDING'],
        [3, 'PENDING'],
        [4, 'DELETED'],
        [5, 'DELETED'],
        [6, 'DELETED'],
      ]);
      expect(replay.every((event) => event.total === 3 && event.status === 'RUNNING')).toBe(true);
      // A whole pass with nothing new: DONE, and with nothing open the operation finishes in the same write.
      const done = await store.appendDiscovered(key, listedPage(['a:1', 'a:3'], null, at(3)));
      expect(done.events).toEqual([]);
      expect(done.operation).toMatchObject({ status: 'SUCCEEDED', finishedAt: at(3), total: 3, deleted: 3 });
      expect(done.operation.selection).toMatchObject({ discovery: 'DONE', pass: 2, passFound: 0 });
      expect(await store.listUnfinishedOperations()).toEqual([]);
      // Discovery over: a late page changes nothing.
      expect((await store.appendDiscovered(key, listedPage(['a:9'], null))).events).toEqual([]);
      expect((await store.listEvents(key, 0, 10)).every((event) => event.discovery === 'DONE')).toBe(true);
      await store.close();
    });

    it('caps a selection at maxItems, fails it on a listing error, and cancels its discovery', async () => {
      const store = createStore();
      const capped = operationKey('t1', 'capped');
      await store.createOperation(selectionOperation('capped', 3));
      await store.appendDiscovered(capped, listedPage(['a:1', 'a:2'], 'c1'));
      const cap = await store.appendDiscovered(capped, listedPage(['a:3', 'a:4', 'a:5'], 'c2'));
      expect(cap.events.map((event) => event.item.videoId)).toEqual(['a:3']);
      expect(cap.operation).toMatchObject({ total: 3, pending: 3, status: 'RUNNING' });
      expect(cap.operation.selection).toMatchObject({ discovery: 'CAPPED' });
      const last = await store.recordUpdates(
        capped,
        [0, 1, 2].map((position) => ({ position, status: 'DELETED' as const, at: at(4) })),
      );
      expect(last.at(-1)).toMatchObject({ status: 'SUCCEEDED', discovery: 'CAPPED' });

      const failing = operationKey('t1', 'failing');
      await store.createOperation(selectionOperation('failing', 10));
      await store.appendDiscovered(failing, listedPage(['a:1'], 'c1'));
      await store.recordUpdates(failing, [{ position: 0, status: 'DELETED', at: at(5) }]);
      const error = { code: 'UNAUTHORIZED', message: 'bad key', retryable: false };
      const failed = await store.appendDiscovered(failing, { error, at: at(6) });
      expect(failed.operation).toMatchObject({ status: 'PARTIALLY_FAILED', finishedAt: at(6) });
      expect(failed.operation.selection).toMatchObject({ discovery: 'FAILED', error });

      const cancelled = operationKey('t1', 'cancelled');
      await store.createOperation(selectionOperation('cancelled', 10));
      await store.appendDiscovered(cancelled, listedPage(['a:1', 'a:2'], 'c1'));
      await store.markAttempt(cancelled, [0]);
      const cancel = await store.cancelOperation(cancelled, at(7));
      expect(cancel?.events.map((event) => event.item.videoId)).toEqual(['a:2']);
      expect(cancel?.operation.selection).toMatchObject({ discovery: 'CANCELLED' });
      expect(cancel?.operation).toMatchObject({ status: 'RUNNING', pending: 1 });
      expect((await store.appendDiscovered(cancelled, listedPage(['a:3'], null))).events).toEqual([]);
      await store.recordUpdates(cancelled, [{ position: 0, status: 'DELETED', at: at(8), from: OPEN }]);
      expect(await store.getOperation(cancelled)).toMatchObject({ status: 'CANCELLED', deleted: 1, cancelled: 1 });

      // Cancelled before anything was found: finished at once, CANCELLED though no item was.
      const empty = operationKey('t1', 'empty');
      await store.createOperation(selectionOperation('empty', 10));
      const emptyCancel = await store.cancelOperation(empty, at(9));
      expect(emptyCancel?.operation).toMatchObject({ status: 'CANCELLED', total: 0, finishedAt: at(9) });
      await store.close();
    });

    it('answers a write probe without changing what it holds', async () => {
      const store = createStore();
      await store.createOperation(newOperation('op', ['a:1']));
      const before = await store.getOperation(operationKey('t1', 'op'));
      await expect(store.probeWrite()).resolves.toBeUndefined();
      expect(await store.getOperation(operationKey('t1', 'op'))).toEqual(before);
      await store.close();
    });
  });
}
