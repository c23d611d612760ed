import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '@unreel/provider-spec';
import { InMemoryOperationStore, type RateChangeObservation } from '../src/index.js';
import { drain, harness, ids } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

const TENANT = 'default';

afterEach(() => {
  vi.useRealTimers();
});

describe('learned account rate', () => {
  it('lowers the rate after a throttle, tells the observer, journals it, and the next start keeps to it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00.000Z') });
    const store = new InMemoryOperationStore();
    const changes: RateChangeObservation[] = [];
    const observer = {
      providerCall() {},
      retry() {},
      items() {},
      rateChanged: (change: RateChangeObservation) => changes.push(change),
    };
    const provider = new FakeProvider({ maxBatchSize: 1 });
    // The provider takes three calls, then refuses the fourth: the quota is below the configured 20.
    provider.script = (_ids, call) => (call === 4 ? new RateLimitedError({ message: 'slow down' }) : undefined);
    const first = harness({
      provider,
      store,
      rates: store,
      observer,
      limits: { requestsPerSecond: 20, concurrency: 1 },
    });
    expect(first.engine.accountRates().get('acc')).toEqual({
      provider: 'fake',
      requestsPerSecond: 20,
      configuredRequestsPerSecond: 20,
    });
    const { operation } = await first.engine.submit({ tenant: TENANT, ids: ids(5) });
    const events = drain(first.engine.progress(TENANT, operation.id));
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await events).map((event) => event.item.status)).toEqual(Array(5).fill('DELETED'));

    expect(changes).toEqual([{ account: 'acc', provider: 'fake', from: 20, to: 3, reason: 'throttled' }]);
    expect(first.engine.accountRates().get('acc')).toEqual({
      provider: 'fake',
      requestsPerSecond: 3,
      configuredRequestsPerSecond: 20,
    });
    // The two calls after the throttle waited for the window of the three before it: three a second (they answered at
    // once, so the provider had them by then).
    const [, , third, , fifth] = provider.calls;
    expect(fifth!.at - third!.at).toBeGreaterThanOrEqual(1_000);
    await first.engine.close();
    expect(await store.listLearnedRates()).toEqual([
      { account: 'acc', requestsPerSecond: 3, configuredRequestsPerSecond: 20, learnedAt: new Date(third!.at) },
    ]);

    const second = harness({ provider: new FakeProvider(), store, rates: store, limits: { requestsPerSecond: 20 } });
    await second.engine.resume();
    expect(second.engine.accountRates().get('acc')).toEqual({
      provider: 'fake',
      requestsPerSecond: 3,
      configuredRequestsPerSecond: 20,
    });
    // Configured otherwise, the account starts from the new configured rate: the operator knows something newer.
    const reconfigured = harness({
      provider: new FakeProvider(),
      store,
      rates: store,
      limits: { requestsPerSecond: 10 },
    });
    await reconfigured.engine.resume();
    expect(reconfigured.engine.accountRates().get('acc')).toEqual({
      provider: 'fake',
      requestsPerSecond: 10,
      configuredRequestsPerSecond: 10,
    });
  });

  it('has no rate to learn on an account without one', () => {
    const h = harness({ provider: new FakeProvider() });
    expect(h.engine.accountRates().get('acc')).toEqual({
      provider: 'fake',
      requestsPerSecond: undefined,
      configuredRequestsPerSecond: undefined,
    });
  });
});
