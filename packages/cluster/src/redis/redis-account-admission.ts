import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  RATE_LOOKBACK_MS,
  rateWindow,
  type AccountAdmission,
  type AccountAdmissionContext,
  type AccountAdmissionFactory,
  type AdaptiveRateState,
  type AdmissionPermit,
  type RateChange,
  type RateLearning,
  type RateTicket,
  type RateTransition,
} from '@unreel/core';
import { ADMISSION_SCRIPT, redisTimeMs } from './admission-script.js';
import type { ReleaseDoorbell } from './release-doorbell.js';

export interface RedisAdmissionOptions {
  /**
   * The connection decisions go through. Fail closed needs commands to fail rather than queue while Redis is away:
   * `enableOfflineQueue: false` (and a `commandTimeout` for a Redis that accepts but does not answer); with ioredis'
   * defaults a decision waits for the reconnect instead, which admits nothing either, but says nothing meanwhile.
   */
  redis: Redis;
  /** Prepended to every key, e.g. `unreel:`; the account's name follows, in braces (one Redis Cluster slot). */
  keyPrefix: string;
  /**
   * How long a permit outlives a holder that died without releasing it. Default the account's call timeout plus 5 s:
   * a live holder's call is aborted by then, so its permit is never taken from under it.
   */
  leaseMs?: number;
  /**
   * The longest a refused caller waits before asking again: a place freed by another replica is seen by asking, or
   * through the doorbell (a release in this process wakes its waiters at once). Default 25 ms.
   */
  pollMs?: number;
  /**
   * Wakes waiting callers when another process releases a permit of their account, instead of at their next poll
   * (see ReleaseDoorbell; it needs a connection of its own, in subscriber mode). Without it, polling alone.
   */
  doorbell?: ReleaseDoorbell;
  /** Waits between attempts while Redis cannot be reached: doubled from the first up to the second. Default 50, 1000. */
  unavailableRetryMs?: readonly [number, number];
  /** Told each time a caller is refused and waits, with why and for how long at most (the admission-waits metric). */
  onWait?: (reason: WaitReason, ms: number) => void;
  /** Told each time Redis could not decide (to log it, count it, report not ready); nothing is admitted meanwhile. */
  onUnavailable?: (error: unknown) => void;
}

/** What a decision was made of, on the Redis clock, for metrics and tests. */
export interface RedisPermit extends AdmissionPermit {
  /** When Redis admitted the call, ms since the epoch with microseconds; undefined if it counted nothing (aborted). */
  readonly admittedAt: number | undefined;
  /** When Redis recorded the answer (release); undefined if it counted nothing or Redis could not be reached. */
  readonly released: Promise<number | undefined>;
}

interface Limits {
  accountName: string;
  concurrency: number;
  requestsPerSecond: number | undefined;
  callTimeoutMs: number;
  /** The rate is learned (limits.learnRate): kept here for every replica, see RateLearning. */
  learnRate?: boolean;
}

export type WaitReason = 'paused' | 'concurrency' | 'rate';

type Decision = [1, string, string] | [0, number, WaitReason] | [2, number, string];

/** Tries of one learned-rate transition that keep losing the race to other replicas' before it is given up. */
const MAX_RATE_TRIES = 5;

const ADMIT_COMMAND = 'unreelAdmission';

/** Builds each account's admission on one Redis connection (DeletionEngineDeps.admission). */
export function redisAccountAdmission(options: RedisAdmissionOptions): AccountAdmissionFactory {
  return (context: AccountAdmissionContext) =>
    new RedisAccountAdmission(
      {
        accountName: context.account.name,
        concurrency: context.account.limits.concurrency,
        requestsPerSecond: context.requestsPerSecond,
        callTimeoutMs: context.account.limits.callTimeoutMs,
        learnRate: context.account.limits.learnRate,
      },
      options,
    );
}

/**
 * One account's limits kept in Redis, so they hold across every process that admits calls for it: at most the
 * concurrency in flight (a permit per call, leased, so one whose holder died frees itself), at most the rate's calls
 * arriving in any window (each counted until its answer, as RateWindowLimiter counts them), and nothing while any
 * replica's throttle holds the account. Each decision is one Lua script on the Redis clock (see ADMISSION_SCRIPT).
 * Fail closed: while Redis cannot decide, nothing is admitted; callers wait (their abort still lets them go).
 * Callers in this process ask in turn, oldest first, so only one of them polls Redis at a time.
 *
 * A learned rate (limits.learnRate) is kept here too, one for every replica (RateLearning): its state in a hash every
 * acquire checks the version of, so every replica keeps one window; AccountGate computes each transition on it.
 */
export class RedisAccountAdmission implements AccountAdmission, RateLearning {
  private readonly redis: Redis;
  private readonly keys: [string, string, string, string, string];
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retryMs: readonly [number, number];
  private readonly onUnavailable: (error: unknown) => void;
  private readonly onWait: (reason: WaitReason, ms: number) => void;
  private requestsPerSecond: number | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private pausedUntil = 0;
  /** Aborted (and replaced) when a permit is released, here or, through the doorbell, elsewhere: waiters ask again. */
  private wake = new AbortController();
  private readonly closed = new AbortController();
  private readonly channel: string;
  private readonly stopListening: () => void;
  /** The learned rate's ceiling when this admission keeps it; undefined when the rate is not learned. */
  private readonly ceiling: number | undefined;
  /** The shared learned rate's version and state as last seen (version 0, no state: none yet, the ceiling). */
  private rateVersion = 0;
  private rateState: AdaptiveRateState | undefined;
  /** The Redis clock minus this one's, as of the last reply that told the time. */
  private clockOffset = 0;
  /** Releases on their way: a transition reads the accepted calls only once those told of are counted. */
  private readonly releasing = new Set<Promise<unknown>>();

  constructor(limits: Limits, options: RedisAdmissionOptions) {
    if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1) {
      throw new RangeError(`limits.concurrency of account "${limits.accountName}" must be a positive whole number`);
    }
    this.redis = options.redis;
    const base = `${options.keyPrefix}{${limits.accountName}}`;
    this.keys = [`${base}:pause`, `${base}:permits`, `${base}:calls`, `${base}:rate`, `${base}:accepted`];
    this.channel = `${base}:released`;
    this.stopListening = options.doorbell?.listen(this.channel, () => this.wakeUp()) ?? (() => {});
    this.concurrency = limits.concurrency;
    this.requestsPerSecond = limits.requestsPerSecond;
    this.ceiling = limits.learnRate ? limits.requestsPerSecond : undefined;
    this.leaseMs = options.leaseMs ?? limits.callTimeoutMs + 5_000;
    this.pollMs = options.pollMs ?? 25;
    this.retryMs = options.unavailableRetryMs ?? [50, 1_000];
    this.onUnavailable = options.onUnavailable ?? (() => {});
    this.onWait = options.onWait ?? (() => {});
    if (!this.redis[ADMIT_COMMAND as keyof Redis]) {
      // EVALSHA, loading the script again (EVAL) after a Redis restart forgot it.
      this.redis.defineCommand(ADMIT_COMMAND, { numberOfKeys: 5, lua: ADMISSION_SCRIPT });
    }
  }

  get learning(): RateLearning | undefined {
    return this.ceiling === undefined ? undefined : this;
  }

  current(): AdaptiveRateState | undefined {
    return this.rateState;
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  async refresh(): Promise<void> {
    try {
      // The state alone: the accepted starts (up to two seconds' worth at the ceiling) are for transitions only.
      const [seconds, micros, version, state] = (await this.run('rate', 'state')) as [string, string, number, string];
      this.tellsTime(seconds, micros);
      this.adoptRate(version, state);
    } catch (error) {
      this.onUnavailable(error);
      throw error;
    }
  }

  async seed(state: AdaptiveRateState, ceiling: number): Promise<boolean> {
    try {
      const [stored, version, kept] = (await this.run('rate-seed', JSON.stringify(state), String(ceiling))) as [
        number,
        number,
        string,
      ];
      this.adoptRate(version, kept);
      return stored === 1;
    } catch (error) {
      this.onUnavailable(error);
      throw error;
    }
  }

  async update(
    step: (state: AdaptiveRateState | undefined, now: number, accepted: readonly number[]) => RateTransition,
  ): Promise<RateChange | undefined> {
    try {
      await Promise.all(this.releasing);
      for (let tries = 0; tries < MAX_RATE_TRIES; tries += 1) {
        const [seconds, micros, version, state, , ...accepted] = (await this.run('rate')) as [
          string,
          string,
          number,
          string,
          string,
          ...string[],
        ];
        const now = this.tellsTime(seconds, micros);
        this.adoptRate(version, state);
        const { state: next, change } = step(this.rateState, now, accepted.map(Number));
        if (!change) return undefined;
        const keepSince = next.remeasure ? String(next.remeasure.since) : '';
        const set = (await this.run(
          'rate-set',
          String(version),
          JSON.stringify(next),
          String(this.ceiling),
          keepSince,
        )) as [1, number] | [0, number, string];
        if (set[0] === 1) {
          this.rateVersion = set[1];
          this.rateState = next;
          return change;
        }
        // Another replica changed it first: its state is the one to judge this event against now.
        this.adoptRate(set[1], set[2]);
      }
      return undefined;
    } catch (error) {
      this.onUnavailable(error);
      throw error;
    }
  }

  acquire(signal: AbortSignal): Promise<RedisPermit> {
    const stop = AbortSignal.any([signal, this.closed.signal]);
    const previous = this.turn;
    // A caller that gives up while others are ahead of it is let go at once, not when its turn comes.
    const turn = new Promise<unknown>((resolve) => {
      void previous.then(resolve);
      stop.addEventListener('abort', resolve, { once: true });
    });
    const mine = turn.then(() => this.waitForPermit(stop));
    // The next caller still waits for every caller before it.
    this.turn = Promise.all([previous, mine]).catch(() => undefined);
    return mine;
  }

  setRate(requestsPerSecond: number): void {
    this.requestsPerSecond = requestsPerSecond;
  }

  pause(ms: number): void {
    void this.pauseShared(ms);
  }

  /**
   * As pause, and resolves with when the shared pause ends on the Redis clock (undefined if Redis could not be told:
   * this process holds its calls anyway, the others learn of the throttle from their own calls).
   */
  async pauseShared(ms: number): Promise<number | undefined> {
    const wait = Math.max(1, Math.ceil(ms));
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
    try {
      const [seconds, micros, left] = (await this.run('pause', String(wait))) as [string, string, number];
      return redisTimeMs(seconds, micros) + left;
    } catch (error) {
      this.onUnavailable(error);
      return undefined;
    }
  }

  /** Lets every waiting caller go with a permit that counts nothing; the connection is the caller's to close. */
  close(): void {
    this.closed.abort();
    this.stopListening();
  }

  private async waitForPermit(signal: AbortSignal): Promise<RedisPermit> {
    let unavailable = 0;
    while (!signal.aborted) {
      const localPause = this.pausedUntil - Date.now();
      if (localPause > 0) {
        await this.sleep(localPause, signal);
        continue;
      }
      const id = randomUUID();
      let decision: Decision;
      // The generation the window is computed for: the one a call admitted with it starts under.
      const generation = this.rateState?.generation ?? 0;
      try {
        decision = await abortable(this.decide(id), signal, (late) => {
          // Admitted after the caller gave up: hand the place straight back.
          if (late[0] === 1) void this.release(id);
        });
      } catch (error) {
        if (signal.aborted) break;
        this.onUnavailable(error);
        const [first, max] = this.retryMs;
        await this.sleep(Math.min(max, first * 2 ** unavailable), signal);
        unavailable += 1;
        continue;
      }
      unavailable = 0;
      if (decision[0] === 2) {
        // Another replica changed the learned rate since this window was computed: compute it again, ask at once.
        this.adoptRate(decision[1], decision[2]);
        continue;
      }
      if (decision[0] === 1) return this.permit(id, this.tellsTime(decision[1], decision[2]), generation);
      const [, waitMs, reason] = decision;
      // A pause only ends when its time is up; any other place may free sooner, in another process.
      const ms = reason === 'paused' ? waitMs : Math.min(waitMs, this.pollMs);
      this.onWait(reason, ms);
      await this.sleep(ms, signal);
    }
    return { admittedAt: undefined, released: Promise.resolve(undefined), release() {} };
  }

  private decide(id: string): Promise<Decision> {
    const learned = this.ceiling === undefined ? undefined : (this.rateState?.rate ?? this.ceiling);
    const rate = learned ?? this.requestsPerSecond;
    const window = rate === undefined ? undefined : rateWindow(rate);
    return this.run(
      'acquire',
      id,
      String(this.concurrency),
      String(this.leaseMs),
      String(window?.calls ?? 0),
      String(window?.windowMs ?? 0),
      String(window?.marginMs ?? 0),
      learned === undefined ? '' : String(this.rateVersion),
    ) as Promise<Decision>;
  }

  /** A state read from Redis ('' or none: none kept yet). */
  private adoptRate(version: number, state: string | undefined): void {
    this.rateVersion = Number(version);
    this.rateState = state ? (JSON.parse(state) as AdaptiveRateState) : undefined;
  }

  private tellsTime(seconds: string, micros: string): number {
    const at = redisTimeMs(seconds, micros);
    this.clockOffset = at - Date.now();
    return at;
  }

  private permit(id: string, admittedAt: number, generation: number): RedisPermit {
    let settle: (at: number | undefined) => void = () => {};
    const released = new Promise<number | undefined>((resolve) => (settle = resolve));
    let done = false;
    const ticket: RateTicket | undefined =
      this.ceiling === undefined ? undefined : { generation, startedAt: admittedAt };
    return {
      admittedAt,
      released,
      ticket,
      release: (accepted?: boolean) => {
        if (done) return;
        done = true;
        const releasing = this.release(id, accepted && ticket ? admittedAt : undefined).then(settle);
        this.releasing.add(releasing);
        void releasing.finally(() => this.releasing.delete(releasing));
      },
    };
  }

  /**
   * Frees the place; if Redis cannot be told, the lease frees it and the call counts until its start plus the margin,
   * the latest it can have arrived: never less than the truth.
   */
  private async release(id: string, acceptedAt?: number): Promise<number | undefined> {
    try {
      const accepted = acceptedAt === undefined ? '' : String(acceptedAt);
      const [seconds, micros] = (await this.run('release', id, this.channel, accepted, String(RATE_LOOKBACK_MS))) as [
        string,
        string,
      ];
      return redisTimeMs(seconds, micros);
    } catch (error) {
      this.onUnavailable(error);
      return undefined;
    } finally {
      this.wakeUp();
    }
  }

  private wakeUp(): void {
    this.wake.abort();
    this.wake = new AbortController();
  }

  private run(...args: string[]): Promise<unknown> {
    const command = (this.redis as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[ADMIT_COMMAND];
    return (command as (...a: string[]) => Promise<unknown>).call(this.redis, ...this.keys, ...args);
  }

  /** Until `ms` passed, the caller gave up, or a release rang (listeners, not AbortSignal.any: this runs per poll). */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    const wake = this.wake.signal;
    return new Promise((resolve) => {
      if (signal.aborted || wake.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
      wake.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wake.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}

/** Settles with `promise`, or rejects at once on abort; a late result then goes to `late`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal, late: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then(late, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.then(late, () => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
