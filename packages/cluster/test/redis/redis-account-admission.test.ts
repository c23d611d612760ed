import { afterEach, describe, expect, it, vi } from 'vitest';
import { rateWindow } from '@unreel/core';
import {
  RedisAccountAdmission,
  ReleaseDoorbell,
  type RedisAdmissionOptions,
  type RedisPermit,
} from '../../src/index.js';
import { RedisRelay, RedisScope } from './redis-test-support.js';

const ACCOUNT = 'acct';
let scope: RedisScope;
const relays: RedisRelay[] = [];

afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.stop();
  await scope?.close();
});

interface Limits {
  concurrency: number;
  requestsPerSecond?: number;
}

/** `count` admissions on one account, each with its own connection: replicas, as far as Redis can tell. */
function replicas(
  count: number,
  limits: Limits,
  options: Partial<RedisAdmissionOptions> = {},
): RedisAccountAdmission[] {
  scope = new RedisScope();
  return Array.from({ length: count }, () => replica(limits, options));
}

function replica(limits: Limits, options: Partial<RedisAdmissionOptions> = {}): RedisAccountAdmission {
  return new RedisAccountAdmission(
    {
      accountName: ACCOUNT,
      concurrency: limits.concurrency,
      requestsPerSecond: limits.requestsPerSecond,
      callTimeoutMs: 15_000,
    },
    { redis: scope.connect(), keyPrefix: scope.prefix, ...options },
  );
}

interface Recorded {
  admittedAt: number;
  releasedAt: number;
}

/** Each admission makes `perReplica` calls at once, each holding its permit for `holdMs`; Redis-clock times back. */
async function drive(admissions: RedisAccountAdmission[], perReplica: number, holdMs: () => number) {
  let inFlight = 0;
  let most = 0;
  const calls = admissions.flatMap((admission) =>
    Array.from({ length: perReplica }, async (): Promise<Recorded> => {
      const permit = await admission.acquire(new AbortController().signal);
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, holdMs()));
      inFlight -= 1;
      permit.release();
      return { admittedAt: permit.admittedAt as number, releasedAt: (await permit.released) as number };
    }),
  );
  const recorded = await Promise.all(calls);
  return { recorded, most };
}

/** The most permits held at once, from the Redis clock's admitted and released times. */
function mostHeldAtOnce(recorded: Recorded[]): number {
  const edges = recorded.flatMap((call) => [
    { at: call.admittedAt, delta: 1 },
    { at: call.releasedAt, delta: -1 },
  ]);
  // A release and an admission at the same instant: the release came first (Redis runs one script at a time).
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let held = 0;
  let most = 0;
  for (const edge of edges) {
    held += edge.delta;
    most = Math.max(most, held);
  }
  return most;
}

/**
 * When each call was admitted, fewer than the rate's calls before it may still have arrived within a window of it (a
 * call arrives by its answer, or its start plus the margin): so no rolling window at the provider holds more.
 */
function expectWindowKept(recorded: Recorded[], rate: number): void {
  const { windowMs, marginMs } = rateWindow(rate);
  const sorted = recorded.toSorted((a, b) => a.admittedAt - b.admittedAt);
  for (const [index, call] of sorted.entries()) {
    // Whole milliseconds, as the script keeps them.
    const at = Math.floor(call.admittedAt);
    const counted = sorted
      .slice(0, index)
      .filter(
        (before) => Math.min(Math.floor(before.releasedAt), Math.floor(before.admittedAt) + marginMs) > at - windowMs,
      );
    expect(counted.length, `call admitted at ${call.admittedAt}`).toBeLessThan(rate);
    // So no rolling window holds more than the rate's admissions either.
    const inWindow = sorted.filter((other) => {
      const otherAt = Math.floor(other.admittedAt);
      return otherAt > at - windowMs && otherAt <= at;
    });
    expect(inWindow.length).toBeLessThanOrEqual(rate);
  }
}

describe('RedisAccountAdmission: one account, several replicas', () => {
  it('never holds more calls in flight than the concurrency', { timeout: 30_000 }, async () => {
    const admissions = replicas(3, { concurrency: 3 });
    const { recorded, most } = await drive(admissions, 12, () => Math.random() * 5);
    expect(recorded).toHaveLength(36);
    expect(recorded.every((call) => call.admittedAt !== undefined && call.releasedAt >= call.admittedAt)).toBe(true);
    expect(most).toBeLessThanOrEqual(3);
    expect(mostHeldAtOnce(recorded)).toBeLessThanOrEqual(3);
  });

  it(
    'lets at most the rate arrive in any rolling second, each call counted until its answer',
    { timeout: 30_000 },
    async () => {
      const rate = 10;
      const admissions = replicas(3, { concurrency: 4, requestsPerSecond: rate });
      const { recorded } = await drive(admissions, 10, () => Math.random() * 20);
      expect(recorded).toHaveLength(30);
      expectWindowKept(recorded, rate);
    },
  );

  it('keeps to a rate lowered while running (the learned rate), in every replica', { timeout: 30_000 }, async () => {
    const admissions = replicas(3, { concurrency: 4, requestsPerSecond: 10 });
    for (const admission of admissions) admission.setRate(2);
    const { recorded } = await drive(admissions, 2, () => Math.random() * 20);
    expect(recorded).toHaveLength(6);
    expectWindowKept(recorded, 2);
  });

  it('a pause set by one replica holds every replica until it ends', { timeout: 30_000 }, async () => {
    const [first, second, third] = replicas(3, { concurrency: 1 }) as [
      RedisAccountAdmission,
      RedisAccountAdmission,
      RedisAccountAdmission,
    ];
    const held = await first.acquire(new AbortController().signal);
    let waiting: RedisPermit | undefined;
    const waiter = second.acquire(new AbortController().signal).then((permit) => (waiting = permit));
    const until = await first.pauseShared(300);
    expect(until).toBeDefined();
    // The place is free now, but the pause is not over.
    expect(waiting).toBeUndefined();
    held.release();
    const late = third.acquire(new AbortController().signal);
    // Both wait for the pause; then one at a time, the concurrency still holding.
    const [firstIn, other] = await Promise.race([
      waiter.then((permit) => [permit, late] as const),
      late.then((permit) => [permit, waiter] as const),
    ]);
    // Whole milliseconds: Redis keeps the pause's expiry in them.
    expect(Math.floor(firstIn.admittedAt as number)).toBeGreaterThanOrEqual(Math.floor(until as number));
    firstIn.release();
    const releasedAt = (await firstIn.released) as number;
    const secondIn = await other;
    expect(secondIn.admittedAt).toBeGreaterThanOrEqual(releasedAt);
    secondIn.release();
  });

  it('wakes a replica waiting for a place as soon as another releases it, through the doorbell', async () => {
    scope = new RedisScope();
    // Neither a poll nor a lease would free the place within the test's time: only the doorbell can.
    const slow = { pollMs: 600_000, leaseMs: 600_000 };
    const holder = replica({ concurrency: 1 }, slow);
    const doorbell = new ReleaseDoorbell(scope.connect(undefined, {}));
    const waits: string[] = [];
    const waiter = replica({ concurrency: 1 }, { ...slow, doorbell, onWait: (reason) => waits.push(reason) });
    const held = await holder.acquire(new AbortController().signal);
    let admitted: RedisPermit | undefined;
    const waiting = waiter.acquire(new AbortController().signal).then((permit) => (admitted = permit));
    // Subscribed, and refused (it now sleeps for the poll): releasing before that would prove nothing.
    const admin = scope.connect();
    const channel = `${scope.prefix}{${ACCOUNT}}:released`;
    await vi.waitFor(
      async () => {
        expect(waits).toEqual(['concurrency']);
        expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 1]);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(admitted).toBeUndefined();
    held.release();
    const releasedAt = (await held.released) as number;
    const permit = await waiting;
    expect(permit.admittedAt).toBeGreaterThanOrEqual(releasedAt);
    permit.release();
    waiter.close();
  });

  it('frees the permit of a holder that died once its lease ends', { timeout: 30_000 }, async () => {
    scope = new RedisScope();
    const leaseMs = 400;
    const dying = replica({ concurrency: 1 }, { leaseMs });
    const survivor = replica({ concurrency: 1 });
    const orphan = await dying.acquire(new AbortController().signal);
    // The holder is gone without releasing: its connection closed, its process as good as dead.
    dying.close();
    scope.connect().disconnect();
    const permit = await survivor.acquire(new AbortController().signal);
    // Whole milliseconds: the script keeps expiries in them.
    expect(Math.floor(permit.admittedAt as number)).toBeGreaterThanOrEqual(
      Math.floor(orphan.admittedAt as number) + leaseMs,
    );
    permit.release();
  });

  it('admits nothing while Redis is unreachable, and again once it is back', { timeout: 30_000 }, async () => {
    scope = new RedisScope();
    const relay = new RedisRelay();
    relays.push(relay);
    await relay.start();
    const failures: unknown[] = [];
    const admission = new RedisAccountAdmission(
      { accountName: ACCOUNT, concurrency: 2, requestsPerSecond: 20, callTimeoutMs: 15_000 },
      {
        redis: scope.connect(relay.url()),
        keyPrefix: scope.prefix,
        unavailableRetryMs: [20, 100],
        onUnavailable: (error) => failures.push(error),
      },
    );
    const before = await admission.acquire(new AbortController().signal);
    before.release();
    await before.released;

    await relay.stop();
    let admitted: RedisPermit | undefined;
    const waiting = admission.acquire(new AbortController().signal).then((permit) => (admitted = permit));
    await vi.waitFor(() => expect(failures.length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 20 });
    expect(admitted).toBeUndefined();
    // A caller that gives up meanwhile is let go, with nothing counted.
    const giveUp = new AbortController();
    const abandoned = admission.acquire(giveUp.signal);
    giveUp.abort();
    expect((await abandoned).admittedAt).toBeUndefined();
    expect(admitted).toBeUndefined();

    await relay.start();
    const permit = await waiting;
    expect(permit.admittedAt).toBeDefined();
    permit.release();
    expect(await permit.released).toBeGreaterThanOrEqual(permit.admittedAt as number);
  });
});
