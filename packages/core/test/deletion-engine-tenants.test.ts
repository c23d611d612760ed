import { describe, expect, it } from 'vitest';
import { RateLimitedError, type CallOptions, type DeleteOutcome } from '@unreel/provider-spec';
import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  InMemoryOperationStore,
  TooManyOperationsError,
  defaultAccountLimits,
  type EngineObserver,
  type ItemsObservation,
  type ProviderCallObservation,
  type RetryObservation,
} from '../src/index.js';
import { drain, harness, ids } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

/** Holds every delete call until released, so operations stay RUNNING exactly as long as a test needs. */
class HeldProvider extends FakeProvider {
  private release: () => void = () => {};
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));

  override async doDeleteVideos(videoIds: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    await this.released;
    return super.doDeleteVideos(videoIds, options);
  }

  letGo(): void {
    this.release();
  }
}

function twoAccountEngine() {
  const store = new InMemoryOperationStore();
  const make = (name: string) => {
    const provider = new FakeProvider();
    return { name, pluginId: 'fake', provider, limits: defaultAccountLimits(provider, {}), deleteDelayMs: 0 };
  };
  const all = new AccountRegistry([make('mine'), make('theirs')]);
  const engine = new DeletionEngine({ store, bus: new InMemoryEventBus(), accounts: all });
  const mine = new AccountRegistry([all.require('mine')]);
  return { engine, store, mine };
}

describe('tenant limits', () => {
  it('refuses a tenant more running operations than allowed, journals nothing, and frees the slot when one finishes', async () => {
    const provider = new HeldProvider();
    const h = harness({ provider, engineOptions: { maxRunningOperationsPerTenant: 2 } });
    await h.engine.submit({ tenant: 'acme', ids: ids(2, 'a'), operationId: 'one' });
    await h.engine.submit({ tenant: 'acme', ids: ids(2, 'b'), operationId: 'two' });
    const refused = h.engine.submit({ tenant: 'acme', ids: ids(2, 'c'), operationId: 'three' });
    await expect(refused).rejects.toSatisfy(TooManyOperationsError.isInstance);
    await expect(refused).rejects.toMatchObject({ code: 'TOO_MANY_OPERATIONS', limit: 2 });
    expect(await h.engine.getOperation('acme', 'three')).toBeNull();
    // A retry of an accepted operation is an answer, not a new operation: never refused.
    expect((await h.engine.submit({ tenant: 'acme', ids: ids(2, 'a'), operationId: 'one' })).created).toBe(false);
    // Another tenant has its own allowance.
    expect((await h.engine.submit({ tenant: 'beta', ids: ids(1, 'd'), operationId: 'one' })).created).toBe(true);
    expect(Object.fromEntries(h.engine.runningOperations())).toEqual({ acme: 2, beta: 1 });

    provider.letGo();
    await drain(h.engine.progress('acme', 'one'));
    await h.engine.waitForOperation('acme', 'one', 5_000);
    // The run's bookkeeping ends just after its last event: wait for the slot to come back.
    await expect.poll(() => h.engine.runningOperations().get('acme') ?? 0).toBeLessThan(2);
    expect((await h.engine.submit({ tenant: 'acme', ids: ids(2, 'c'), operationId: 'three' })).created).toBe(true);
    await h.engine.close();
  });

  it('lets only as many concurrent submissions through as the limit allows', async () => {
    const provider = new HeldProvider();
    const h = harness({ provider, engineOptions: { maxRunningOperationsPerTenant: 3 } });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        h.engine.submit({ tenant: 'acme', ids: [`acc:x${index}`], operationId: `op-${index}` }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    expect(
      results.filter((result) => result.status === 'rejected' && TooManyOperationsError.isInstance(result.reason)),
    ).toHaveLength(7);
    expect(await h.store.listUnfinishedOperations()).toHaveLength(3);
    provider.letGo();
    await h.engine.close();
  });
});

describe('tenant accounts', () => {
  it("treats another tenant's account exactly like an unknown one when deleting and restoring", async () => {
    const { engine, store, mine } = twoAccountEngine();
    const foreign = engine.submit({ tenant: 'acme', ids: ['mine:1', 'theirs:1'], accounts: mine });
    const unknown = engine.submit({ tenant: 'acme', ids: ['mine:1', 'nowhere:1'], accounts: mine });
    await expect(foreign).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: 'Unknown account "theirs"' });
    await expect(unknown).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: 'Unknown account "nowhere"' });
    expect(await store.listUnfinishedOperations()).toEqual([]);
    await expect(engine.restoreVideo('acme', 'theirs:1', mine)).rejects.toMatchObject({
      message: 'Unknown account "theirs"',
    });
    await expect(engine.restoreVideo('acme', 'nowhere:1', mine)).rejects.toMatchObject({
      message: 'Unknown account "nowhere"',
    });
    await engine.close();
  });

  it('shows a tenant only its own latest deletion of a video, and restores within its own operations', async () => {
    const { engine } = twoAccountEngine();
    await engine.submit({ tenant: 'acme', ids: ['mine:1'], operationId: 'op' });
    await engine.waitForOperation('acme', 'op', 5_000);
    expect((await engine.latestDeletions('acme', ['mine:1'])).get('mine:1')).toMatchObject({
      operationId: 'op',
      status: 'DELETED',
    });
    expect((await engine.latestDeletions('beta', ['mine:1'])).size).toBe(0);
    // Beta shares no journal with acme: restoring the video records nothing in acme's operation.
    const restored = await engine.restoreVideo('beta', 'mine:1');
    expect(restored.item).toBeNull();
    expect((await engine.getOperation('acme', 'op'))?.restored).toBe(0);
    await engine.close();
  });
});

describe('observer', () => {
  it('tells every provider call, retry and item outcome, with the account and provider', async () => {
    const calls: ProviderCallObservation[] = [];
    const retries: RetryObservation[] = [];
    const items: ItemsObservation[] = [];
    const observer: EngineObserver = {
      providerCall: (observation) => calls.push(observation),
      retry: (observation) => retries.push(observation),
      items: (observation) => items.push(observation),
    };
    const provider = new FakeProvider({ maxBatchSize: 10 });
    provider.script = (_ids, call) =>
      call === 1 ? new RateLimitedError({ message: 'slow down', retryAfterMs: 1 }) : undefined;
    provider.refuse.set('v3', { status: 'FAILED', error: { code: 'FORBIDDEN', message: 'no', retryable: false } });
    const h = harness({ provider, observer });
    await h.engine.submit({ tenant: 'acme', ids: [...ids(3), 'acc:missing1'], operationId: 'op' });
    await drain(h.engine.progress('acme', 'op'));
    await h.engine.restoreVideo('acme', 'acc:v1');
    await h.engine.getVideos('acc', ['v1']);

    expect(calls.map((call) => [call.method, call.outcome])).toEqual([
      ['delete', 'RATE_LIMITED'],
      ['delete', 'ok'],
      ['restore', 'ok'],
      ['get', 'ok'],
    ]);
    expect(calls.every((call) => call.account === 'acc' && call.provider === 'fake' && call.durationMs >= 0)).toBe(
      true,
    );
    expect(retries).toEqual([{ account: 'acc', provider: 'fake', method: 'delete', code: 'RATE_LIMITED' }]);
    const byStatus = Object.fromEntries(items.map((item) => [item.status, item.count]));
    expect(byStatus).toEqual({ DELETED: 2, FAILED: 1, NOT_FOUND: 1, RESTORED: 1 });
    await h.engine.close();
  });
});

describe('held operations', () => {
  it('give their tenant slot back as soon as every held item is cancelled, not when they would have been due', async () => {
    const h = harness({ deleteDelayMs: 3_600_000, engineOptions: { maxRunningOperationsPerTenant: 1 } });
    await h.engine.submit({ tenant: 'acme', ids: ['acc:a', 'acc:b'], operationId: 'held' });
    await expect(h.engine.submit({ tenant: 'acme', ids: ['acc:c'], operationId: 'next' })).rejects.toSatisfy(
      TooManyOperationsError.isInstance,
    );
    expect((await h.engine.restoreVideo('acme', 'acc:a')).restored).toBe(true);
    expect((await h.engine.restoreVideo('acme', 'acc:b')).restored).toBe(true);
    expect((await h.engine.getOperation('acme', 'held'))?.status).toBe('SUCCEEDED');
    await expect.poll(() => h.engine.runningOperations().get('acme') ?? 0).toBe(0);
    expect((await h.engine.submit({ tenant: 'acme', ids: ['acc:c'], operationId: 'next' })).created).toBe(true);
    expect(h.provider.calls).toEqual([]);
    await h.engine.close();
  });
});
