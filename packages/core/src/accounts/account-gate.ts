import { performance } from 'node:perf_hooks';
import PQueue from 'p-queue';
import { UnreelProviderError, type CallOptions } from '@unreel/provider-spec';
import type { EngineObserver, ProviderMethod } from '../engine/engine-observer.js';
import { sleep } from '../engine/sleep.js';
import type { Account } from './account.js';

/**
 * Everything that reaches one provider account passes through here: deletions of every operation, restores and
 * lookups share one concurrency limit and one requests-per-second budget, because the provider counts them together.
 */
export class AccountGate {
  readonly account: Account;
  private readonly queue: PQueue;
  private readonly shutdown: AbortSignal;
  private readonly observer: EngineObserver;
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(account: Account, shutdown: AbortSignal, observer: EngineObserver) {
    this.account = account;
    this.shutdown = shutdown;
    this.observer = observer;
    this.queue = new PQueue({
      concurrency: account.limits.concurrency,
      ...rateOptions(account.limits.requestsPerSecond),
    });
  }

  /** Runs one provider call when the limits allow, aborted after the account's per-call timeout or at shutdown. */
  run<T>(method: ProviderMethod, call: (options: CallOptions) => Promise<T>, attempt: number): Promise<T> {
    // `call` always calls, so the result is never the skipped one.
    return this.runUnlessSkipped(method, call, attempt) as Promise<T>;
  }

  /**
   * As run, but `call` decides when its turn comes whether there is still anything to send: undefined means no, and
   * then nothing is called, timed or counted (a deletion cancelled while it waited for these limits).
   */
  runUnlessSkipped<T>(
    method: ProviderMethod,
    call: (options: CallOptions) => Promise<T> | undefined,
    attempt: number,
  ): Promise<T | undefined> {
    return this.queue.add(async () => {
      // Not AbortSignal.timeout(): inside AbortSignal.any() nothing but a weak reference holds it, and once a garbage
      // collection takes it the call has no deadline left (a lookup then ran for 61.9 s). A timer holds its controller.
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new DOMException('The provider call timed out', 'TimeoutError')),
        this.account.limits.callTimeoutMs,
      );
      const signal = AbortSignal.any([deadline.signal, this.shutdown]);
      // Timed inside the queue: the latency is the provider's, not the time spent waiting for our own limits.
      const started = performance.now();
      let outcome = 'ok';
      let called = true;
      try {
        const answer = call({ signal, attempt });
        if (answer === undefined) called = false;
        return await answer;
      } catch (error) {
        outcome = UnreelProviderError.isInstance(error) ? error.code : 'ERROR';
        throw error;
      } finally {
        clearTimeout(timer);
        if (called) {
          this.observer.providerCall({
            account: this.account.name,
            provider: this.account.provider.provider,
            method,
            durationMs: performance.now() - started,
            outcome,
          });
        }
      }
    });
  }

  /**
   * Waits before a retry, or until shutdown or `signal`. A throttle holds the whole account, not just the call that was
   * told: the queue then makes that call wait its turn like every other. Any other failure waits alone.
   */
  async waitToRetry(ms: number, throttled: boolean, signal?: AbortSignal): Promise<void> {
    if (throttled) this.pauseFor(ms);
    else await sleep(ms, signal ? AbortSignal.any([this.shutdown, signal]) : this.shutdown);
  }

  private pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.resumeAt) return;
    this.resumeAt = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeAt = 0;
      this.queue.start();
    }, ms);
    this.resumeTimer.unref();
  }

  /** Queued calls still start, see the aborted shutdown signal and fail fast, so every caller settles. */
  close(): void {
    clearTimeout(this.resumeTimer);
    this.queue.start();
  }
}

/**
 * A sliding window (p-queue strict mode) never lets more than the limit through in any rolling second, so a provider
 * counting in fixed or sliding windows of its own never sees a burst beyond it. Fractional rates (10 per minute)
 * become one call per 1/rate seconds.
 */
function rateOptions(requestsPerSecond: number | undefined): {
  intervalCap?: number;
  interval?: number;
  strict?: boolean;
} {
  if (requestsPerSecond === undefined || !Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) return {};
  if (Number.isInteger(requestsPerSecond)) return { intervalCap: requestsPerSecond, interval: 1_000, strict: true };
  return { intervalCap: 1, interval: Math.ceil(1_000 / requestsPerSecond), strict: true };
}
