import { afterEach, describe, expect, it } from 'vitest';
import { adaptiveRateSettings, initialRateState, rateWindow, throttledTransition, type RateTicket } from '@unreel/core';
import { RedisAccountAdmission, type RedisPermit, type WaitReason } from '../../src/index.js';
import { RedisRelay, RedisScope } from './redis-test-support.js';

const CEILING = 10;
const settings = adaptiveRateSettings({ ceiling: CEILING });
let scope: RedisScope;
let relay: RedisRelay | undefined;

afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  await scope?.close();
});

/** Two admissions of one account on one key prefix, each on its own connection: two replicas as Redis sees them. */
async function twoReplicas(
  waits: WaitReason[][] = [[], []],
  url?: string,
): Promise<[RedisAccountAdmission, RedisAccountAdmission]> {
  scope = new RedisScope();
  const replica = async (index: number) => {
    // The first through `url` when given (a relay the test can take away).
    const redis = scope.connect(index === 0 ? url : undefined);
    // Fail fast: a command before the connection is up would fail rather than wait.
    await new Promise((resolve) => (redis.status === 'ready' ? resolve(undefined) : redis.once('ready', resolve)));
    return new RedisAccountAdmission(
      { accountName: 'acct', concurrency: 50, requestsPerSecond: CEILING, callTimeoutMs: 15_000, learnRate: true },
      { redis, keyPrefix: scope.prefix, onWait: (reason) => waits[index]?.push(reason) },
    );
  };
  return [await replica(0), await replica(1)];
}

function acquire(admission: RedisAccountAdmission): Promise<RedisPermit> {
  return admission.acquire(new AbortController().signal);
}

/** What the gate does on a throttle: the transition, read and stored through the admission. */
function throttle(admission: RedisAccountAdmission, ticket: RateTicket) {
  return admission.update((state, now, accepted) =>
    throttledTransition(state ?? initialRateState(settings, undefined, now), ticket, now, accepted, settings),
  );
}

/** `count` calls admitted and accepted, each released (counted among the accepted calls) before the next. */
async function acceptCalls(admission: RedisAccountAdmission, count: number): Promise<void> {
  for (let call = 0; call < count; call += 1) {
    const permit = await acquire(admission);
    permit.release(true);
    await permit.released;
  }
}

describe('one learned rate for every replica, kept in Redis', () => {
  it('a throttle on one replica lowers the rate the other keeps to, its window computed again', async () => {
    const waits: WaitReason[][] = [[], []];
    const [first, second] = await twoReplicas(waits);
    expect(first.learning).toBe(first);
    expect(second.current()).toBeUndefined();
    const permit = await acquire(first);
    expect(permit.ticket).toEqual({ generation: 0, startedAt: permit.admittedAt });
    // Nothing accepted before it: a blind halving.
    expect(await throttle(first, permit.ticket as RateTicket)).toMatchObject({ from: 10, to: 5, reason: 'throttled' });
    permit.release();
    await permit.released;

    // The other replica still holds version 0: its acquire is answered stale, and it asks again under the new rate.
    const admitted = [];
    for (let call = 0; call < rateWindow(5).calls; call += 1) admitted.push(await acquire(second));
    expect(second.current()).toMatchObject({ rate: 5, generation: 1 });
    expect(admitted.every((each) => each.ticket?.generation === 1)).toBe(true);
    // Window of 5, not 10: the sixth waits for the rate (the first replica's call still counts in it too).
    const sixth = new AbortController();
    const refused = second.acquire(sixth.signal);
    await expect.poll(() => waits[1]).toContain('rate');
    sixth.abort();
    expect((await refused).admittedAt).toBeUndefined();
    for (const each of admitted) each.release();
  });

  it('two replicas throttled under the same generation make one change', async () => {
    const [first, second] = await twoReplicas();
    const [a, b] = await Promise.all([acquire(first), acquire(second)]);
    const changes = await Promise.all([
      throttle(first, a.ticket as RateTicket),
      throttle(second, b.ticket as RateTicket),
    ]);
    expect(changes.filter((change) => change !== undefined)).toEqual([
      expect.objectContaining({ from: 10, to: 5, reason: 'throttled' }),
    ]);
    // The loser adopted the winner's state; both see generation 1, and a throttle of it is news again.
    expect(first.current()).toEqual(second.current());
    expect(first.current()).toMatchObject({ rate: 5, generation: 1 });
    a.release();
    b.release();
  });

  it('measures what the provider accepted from every replica, not only the throttled one', async () => {
    const [first, second] = await twoReplicas();
    await acceptCalls(first, 3);
    await acceptCalls(second, 4);
    const permit = await acquire(second);
    // Seven accepted in the second before, three of them through the other replica: 7, not 4 (nor a blind halving).
    expect(await throttle(second, permit.ticket as RateTicket)).toMatchObject({ from: 10, to: 7 });
    permit.release();
  });

  it('is seeded by the journaled rate only when Redis holds none under the same ceiling', async () => {
    const [first, second] = await twoReplicas();
    const learned = (requestsPerSecond: number) =>
      initialRateState(settings, { requestsPerSecond, at: first.now() }, first.now());
    expect(await first.seed(learned(6), CEILING)).toBe(true);
    expect(await second.seed(learned(3), CEILING)).toBe(false);
    expect(second.current()).toMatchObject({ rate: 6 });
    // Learned under another ceiling: the operator's newer configuration wins, under a new version.
    expect(await second.seed(learned(4), 12)).toBe(true);
    const permit = await acquire(first);
    expect(first.current()).toMatchObject({ rate: 4 });
    permit.release();
  });

  it('drops a transition that cannot reach Redis: never applied in one replica only', async () => {
    relay = new RedisRelay();
    await relay.start();
    const [first, second] = await twoReplicas([[], []], relay.url());
    const permit = await acquire(first);
    await relay.stop();
    // ioredis says it one of three ways, depending on how far the reconnect got.
    await expect(throttle(first, permit.ticket as RateTicket)).rejects.toThrow(
      /max retries|isn.t writeable|Connection is closed/,
    );
    expect(first.current()).toBeUndefined();
    // Nothing changed in Redis either: the other replica still keeps to the ceiling under generation 0.
    const other = await acquire(second);
    expect(other.ticket?.generation).toBe(0);
    expect(second.current()).toBeUndefined();
    other.release();
  });
});
