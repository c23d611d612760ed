import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@unreel/provider-spec';
import { InProcessAccountAdmission, type AccountAdmission, type AccountAdmissionFactory } from '../src/index.js';
import { harness, ids } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';

const TENANT = 'default';

/** The default admission, telling `log` what the gate asked of it, in order. */
function recorded(log: string[]): AccountAdmissionFactory {
  return (context) => {
    const inner: AccountAdmission = new InProcessAccountAdmission(context);
    return {
      async acquire(signal) {
        const permit = await inner.acquire(signal);
        log.push('admitted');
        return {
          release() {
            log.push('released');
            permit.release();
          },
        };
      },
      pause(ms) {
        log.push(`pause ${ms}`);
        inner.pause(ms);
      },
      setRate(requestsPerSecond) {
        log.push(`rate ${requestsPerSecond}`);
        inner.setRate(requestsPerSecond);
      },
      close: () => inner.close(),
    };
  };
}

describe('the account admission the engine is given', () => {
  it('admits every provider call and is told when each answered', async () => {
    const log: string[] = [];
    const provider = new FakeProvider({ maxBatchSize: 2 });
    const { engine } = harness({ provider, limits: { concurrency: 2 }, admission: recorded(log) });
    const { operation } = await engine.submit({ tenant: TENANT, ids: ids(7) });
    const done = await engine.waitForOperation(TENANT, operation.id, 10_000);
    await engine.close();
    expect(done.deleted).toBe(7);
    expect(provider.calls).toHaveLength(4);
    expect(log.filter((entry) => entry === 'admitted')).toHaveLength(4);
    expect(log.filter((entry) => entry === 'released')).toHaveLength(4);
  });

  it('pauses the account on a Retry-After before the throttled call frees its place', async () => {
    const log: string[] = [];
    const provider = new FakeProvider({ maxBatchSize: 1 });
    provider.script = (_ids, call) => (call === 1 ? new RateLimitedError({ retryAfterMs: 40 }) : undefined);
    const { engine } = harness({
      provider,
      limits: { concurrency: 1, learnRate: false },
      admission: recorded(log),
    });
    const { operation } = await engine.submit({ tenant: TENANT, ids: ids(3) });
    const done = await engine.waitForOperation(TENANT, operation.id, 10_000);
    await engine.close();
    expect(done.deleted).toBe(3);
    // Another call waiting for the place (here, or on another replica through a shared admission) finds the account
    // paused; the retry's own wait comes after, and only extends the pause.
    expect(log.slice(0, 4)).toEqual(['admitted', 'pause 40', 'released', 'pause 40']);
  });
});
