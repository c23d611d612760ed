import { describe, expect, it } from 'vitest';
import { OperationExistsError, operationKey, type NewOperation, type OperationStore } from '../src/index.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

function newOperation(id: string, videoIds: string[], tenant = 't1', createdAt = at(0)): NewOperation {
  return {
    id,
    tenant,
    fingerprint: `fp-${id}`,
    createdAt,
    items: videoIds.map((videoId) => {
      const [account, nativeId] = videoId.split(':') as [string, string];
      return { videoId, account, nativeId, status: 'PENDING' };
    }),
  };
}

/** The contract every OperationStore keeps; each store's test file runs this against a fresh store. */
export function describeOperationStore(name: string, createStore: () => OperationStore): void {
  describe(`OperationStore contract: ${name}`, () => {
    it('journals an operation with every item open, unique per tenant', async () => {
      const store = createStore();
      const created = await store.createOperation(newOperation('op', ['a:1', 'b:2', 'a:3']));
      expect(created).toMatchObject({ id: 'op', tenant: 't1', status: 'RUNNING', total: 3, pending: 3, lastSequence: 0, accounts: ['a', 'b'] });
      await expect(store.createOperation(newOperation('op', ['a:9']))).rejects.toSatisfy(OperationExistsError.isInstance);
      await expect(store.createOperation(newOperation('op', ['a:9'], 't2'))).resolves.toMatchObject({ tenant: 't2', total: 1 });
      expect(await store.getOperation(operationKey('t1', 'op'))).toMatchObject({ total: 3 });
      expect(await store.getOperation(operationKey('t3', 'op'))).toBeNull();
      await store.close();
    });

    it('records updates as gapless events with counts, and the final status on the last one', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2', 'a:3']));
      const first = await store.recordUpdates(key, [
        { videoId: 'a:2', status: 'DELETED', restorableUntil: at(60), at: at(1) },
        { videoId: 'a:1', status: 'FAILED', error: { code: 'FORBIDDEN', message: 'no', retryable: false }, at: at(1) },
      ]);
      expect(first.map((event) => [event.sequence, event.item.videoId, event.status, event.completed])).toEqual([
        [1, 'a:2', 'RUNNING', 1],
        [2, 'a:1', 'RUNNING', 2],
      ]);
      const last = await store.recordUpdates(key, [{ videoId: 'a:3', status: 'NOT_FOUND', at: at(2) }]);
      expect(last[0]).toMatchObject({ sequence: 3, status: 'PARTIALLY_FAILED', completed: 3, total: 3 });
      expect(await store.getOperation(key)).toMatchObject({
        status: 'PARTIALLY_FAILED', deleted: 1, failed: 1, notFound: 1, pending: 0, lastSequence: 3, finishedAt: at(2),
      });
      const restored = await store.recordUpdates(key, [{ videoId: 'a:2', status: 'RESTORED', restorableUntil: null, at: at(3) }]);
      expect(restored[0]).toMatchObject({ sequence: 4, status: 'PARTIALLY_FAILED' });
      expect(await store.getOperation(key)).toMatchObject({ deleted: 0, restored: 1 });

      const replay = await store.listEvents(key, 0, 10);
      expect(replay.map((event) => event.sequence)).toEqual([1, 2, 3, 4]);
      // Each event keeps the item as it was then.
      expect(replay[0]?.item).toMatchObject({ videoId: 'a:2', status: 'DELETED', restorableUntil: at(60), operationId: 'op' });
      expect(replay[1]?.item.error).toEqual({ code: 'FORBIDDEN', message: 'no', retryable: false });
      expect((await store.listEvents(key, 2, 1)).map((event) => event.sequence)).toEqual([3]);
      expect(await store.listEvents(operationKey('t1', 'nope'), 0, 10)).toEqual([]);
      await store.close();
    });

    it('pages items by position, by status, and open items by account', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'b:1', 'a:2', 'a:3', 'b:2']));
      await store.recordUpdates(key, [{ videoId: 'a:2', status: 'DELETED', at: at(1) }]);
      const page = await store.listItems(key, { first: 2 });
      expect(page.items.map((item) => item.videoId)).toEqual(['a:1', 'b:1']);
      expect(page.hasNextPage).toBe(true);
      const rest = await store.listItems(key, { first: 5, after: page.items[1]!.position });
      expect(rest.items.map((item) => item.videoId)).toEqual(['a:2', 'a:3', 'b:2']);
      expect(rest.hasNextPage).toBe(false);
      expect((await store.listItems(key, { first: 5, status: 'DELETED' })).items.map((item) => item.videoId)).toEqual(['a:2']);
      expect((await store.listOpenItems(key, 'a', { first: 5 })).map((item) => item.videoId)).toEqual(['a:1', 'a:3']);
      expect((await store.listOpenItems(key, 'a', { first: 5, after: 0 })).map((item) => item.videoId)).toEqual(['a:3']);
      await store.close();
    });

    it('journals attempts and ambiguity before outcomes are known', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2']));
      await store.markAttempt(key, ['a:1', 'a:2']);
      await store.markAttempt(key, ['a:1']);
      await store.clearAmbiguous(key, ['a:2']);
      const items = (await store.listItems(key, { first: 5 })).items;
      expect(items.map((item) => [item.attempts, item.ambiguous])).toEqual([[2, true], [1, false]]);
      await store.recordUpdates(key, [{ videoId: 'a:1', status: 'DELETED', at: at(1) }]);
      expect((await store.listItems(key, { first: 1 })).items[0]).toMatchObject({ status: 'DELETED', ambiguous: false, attempts: 2 });
      await store.close();
    });

    it('finds the newest item per video, lists unfinished operations and purges old finished ones', async () => {
      const store = createStore();
      await store.createOperation(newOperation('old', ['a:1'], 't1', at(0)));
      await store.recordUpdates(operationKey('t1', 'old'), [{ videoId: 'a:1', status: 'FAILED', error: { code: 'X', message: 'x', retryable: true }, at: at(1) }]);
      await store.createOperation(newOperation('new', ['a:1', 'a:2'], 't1', at(5)));
      await store.createOperation(newOperation('other-tenant', ['a:1'], 't2', at(6)));
      const latest = await store.latestItems('t1', ['a:1', 'a:2', 'a:404']);
      expect(latest.get('a:1')).toMatchObject({ operationId: 'new', status: 'PENDING' });
      expect(latest.has('a:404')).toBe(false);
      // Another tenant's newer deletion of the same video is not this tenant's to see.
      expect((await store.latestItems('t2', ['a:1', 'a:2'])).get('a:1')).toMatchObject({ operationId: 'other-tenant' });
      expect((await store.latestItems('t2', ['a:2'])).has('a:2')).toBe(false);
      expect((await store.latestItems('t3', ['a:1'])).size).toBe(0);
      expect((await store.listUnfinishedOperations()).map((operation) => operation.id)).toEqual(['new', 'other-tenant']);
      expect(await store.purgeFinishedBefore(at(2))).toBe(1);
      expect(await store.getOperation(operationKey('t1', 'old'))).toBeNull();
      expect(await store.getOperation(operationKey('t1', 'new'))).not.toBeNull();
      expect(await store.purgeFinishedBefore(at(100))).toBe(0);
      await store.close();
    });

    it('keeps a provider confirmation on the item and its event, and lets a late failure change a finished status', async () => {
      const store = createStore();
      const key = operationKey('t1', 'op');
      await store.createOperation(newOperation('op', ['a:1', 'a:2']));
      await store.recordUpdates(key, [
        { videoId: 'a:1', status: 'DELETED', restorableUntil: at(60), at: at(1) },
        { videoId: 'a:2', status: 'DELETED', at: at(1) },
      ]);
      expect(await store.getOperation(key)).toMatchObject({ status: 'SUCCEEDED', finishedAt: at(1) });
      const [confirmed] = await store.recordUpdates(key, [{ videoId: 'a:1', status: 'DELETED', confirmedAt: at(2), at: at(3) }]);
      expect(confirmed).toMatchObject({ sequence: 3, status: 'SUCCEEDED', completed: 2 });
      // An update that does not name confirmedAt leaves it, and restorableUntil, as they were.
      expect(confirmed?.item).toMatchObject({ confirmedAt: at(2), restorableUntil: at(60) });
      const [failed] = await store.recordUpdates(key, [
        { videoId: 'a:2', status: 'FAILED', error: { code: 'DELETE_FAILED', message: 'no', retryable: false }, confirmedAt: null, at: at(4) },
      ]);
      expect(failed).toMatchObject({ sequence: 4, status: 'PARTIALLY_FAILED' });
      expect(await store.getOperation(key)).toMatchObject({ status: 'PARTIALLY_FAILED', deleted: 1, failed: 1, finishedAt: at(1) });
      const replay = await store.listEvents(key, 0, 10);
      expect(replay.map((event) => event.item.confirmedAt)).toEqual([null, null, at(2), null]);
      expect((await store.latestItems('t1', ['a:1'])).get('a:1')?.confirmedAt).toEqual(at(2));
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
  });
}
