import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  rateWindow,
  type AccountAdmission,
  type AccountAdmissionContext,
  type AccountAdmissionFactory,
  type AdmissionPermit,
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
}

export type WaitReason = 'paused' | 'concurrency' | 'rate';

type Decision = [1, string, string] | [0, number, WaitReason];

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
 */
export class RedisAccountAdmission implements AccountAdmission {
  private readonly redis: Redis;
  private readonly keys: [string, string, string];
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

  constructor(limits: Limits, options: RedisAdmissionOptions) {
    if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1) {
      throw new RangeError(`limits.concurrency of account "${limits.accountName}" must be a positive whole number`);
    }
    this.redis = options.redis;
    const base = `${options.keyPrefix}{${limits.accountName}}`;
    this.keys = [`${base}:pause`, `${base}:permits`, `${base}:calls`];
    this.channel = `${base}:released`;
    this.stopListening = options.doorbell?.listen(this.channel, () => this.wakeUp()) ?? (() => {});
    this.concurrency = limits.concurrency;
    this.requestsPerSecond = limits.requestsPerSecond;
    this.leaseMs = options.leaseMs ?? limits.callTimeoutMs + 5_000;
    this.pollMs = options.pollMs ?? 25;
    this.retryMs = options.unavailableRetryMs ?? [50, 1_000];
    this.onUnavailable = options.onUnavailable ?? (() => {});
    this.onWait = options.onWait ?? (() => {});
    if (!this.redis[ADMIT_COMMAND as keyof Redis]) {
      // EVALSHA, loading the script again (EVAL) after a Redis restart forgot it.
      this.redis.defineCommand(ADMIT_COMMAND, { numberOfKeys: 3, lua: ADMISSION_SCRIPT });
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
      if (decision[0] === 1) return this.permit(id, redisTimeMs(decision[1], decision[2]));
      const [, waitMs, reason] = decision;
      // A pause only ends when its time is up; any other place may free sooner, in another process.
      const ms = reason === 'paused' ? waitMs : Math.min(waitMs, this.pollMs);
      this.onWait(reason, ms);
      await this.sleep(ms, signal);
    }
    return { admittedAt: undefined, released: Promise.resolve(undefined), release() {} };
  }

  private decide(id: string): Promise<Decision> {
    const window = this.requestsPerSecond === undefined ? undefined : rateWindow(this.requestsPerSecond);
    return this.run(
      'acquire',
      id,
      String(this.concurrency),
      String(this.leaseMs),
      String(window?.calls ?? 0),
      String(window?.windowMs ?? 0),
      String(window?.marginMs ?? 0),
    ) as Promise<Decision>;
  }

  private permit(id: string, admittedAt: number): RedisPermit {
    let settle: (at: number | undefined) => void = () => {};
    const released = new Promise<number | undefined>((resolve) => (settle = resolve));
    let done = false;
    return {
      admittedAt,
      released,
      release: () => {
        if (done) return;
        done = true;
        void this.release(id).then(settle);
      },
    };
  }

  /**
   * Frees the place; if Redis cannot be told, the lease frees it and the call counts until its start plus the margin,
   * the latest it can have arrived: never less than the truth.
   */
  private async release(id: string): Promise<number | undefined> {
    try {
      const [seconds, micros] = (await this.run('release', id, this.channel)) as [string, string];
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
