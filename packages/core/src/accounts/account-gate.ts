import { performance } from 'node:perf_hooks';
import PQueue from 'p-queue';
import { UnreelProviderError, type CallOptions } from '@unreel/provider-spec';
import type { EngineObserver, ProviderMethod } from '../engine/engine-observer.js';
import { sleep } from '../engine/sleep.js';
import type { Account } from './account.js';
import { AdaptiveRate, type RateChange, type RateTicket } from './adaptive-rate.js';
import { RateWindowLimiter } from './rate-window-limiter.js';

export interface AccountGateOptions {
  shutdown: AbortSignal;
  observer: EngineObserver;
  /** The engine's clock, in ms: what decides the learned rate's quiet periods. */
  now: () => number;
  /** Told of every change of the learned rate, after it applies (to journal it, log it, count it). */
  onRateChange?: (change: RateChange) => void;
}

/** The rate an account keeps to; both undefined when neither the config nor the provider names one. */
export interface AccountRate {
  /** The provider's name as the plugin reports it (`provider.provider`), for metrics labels. */
  provider: string;
  /** What calls keep to now: the configured rate, or lower, as learned from the provider's throttles. */
  requestsPerSecond: number | undefined;
  /** The configured (or else documented) rate: the learned one never goes above it. */
  configuredRequestsPerSecond: number | undefined;
}

/**
 * Everything that reaches one provider account passes through here: deletions of every operation, restores and
 * lookups share one concurrency limit and one requests-per-second budget, because the provider counts them together.
 * The budget is learned: a provider that throttles below the configured rate lowers it for every method (see
 * AdaptiveRate), and the limiter spaces calls by when they can have arrived, not when they started (see
 * RateWindowLimiter), so jitter on the way never puts one more into a provider's window.
 */
export class AccountGate {
  readonly account: Account;
  private readonly queue: PQueue;
  private readonly shutdown: AbortSignal;
  private readonly observer: EngineObserver;
  private readonly now: () => number;
  private readonly onRateChange: ((change: RateChange) => void) | undefined;
  private readonly limiter: RateWindowLimiter | undefined;
  private adaptive: AdaptiveRate | undefined;
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(account: Account, options: AccountGateOptions) {
    this.account = account;
    this.shutdown = options.shutdown;
    this.observer = options.observer;
    this.now = options.now;
    this.onRateChange = options.onRateChange;
    this.queue = new PQueue({ concurrency: account.limits.concurrency });
    const ceiling = configuredRate(account);
    if (ceiling !== undefined) {
      if (account.limits.learnRate) this.adaptive = new AdaptiveRate({ ceiling, now: this.now });
      this.limiter = new RateWindowLimiter(ceiling);
    }
  }

  rate(): AccountRate {
    const configured = configuredRate(this.account);
    return {
      provider: this.account.provider.provider,
      requestsPerSecond: this.adaptive?.requestsPerSecond ?? configured,
      configuredRequestsPerSecond: configured,
    };
  }

  /**
   * Starts from a rate learned before (the journal's, at start), unless it was learned under another configured rate:
   * an operator who changed the rate knows something newer than what was learned.
   */
  adoptLearnedRate(learned: { requestsPerSecond: number; configuredRequestsPerSecond: number; at: Date }): boolean {
    const ceiling = this.adaptive?.ceiling;
    if (ceiling === undefined || learned.configuredRequestsPerSecond !== ceiling) return false;
    this.adaptive = new AdaptiveRate({
      ceiling,
      now: this.now,
      learned: { requestsPerSecond: learned.requestsPerSecond, at: learned.at.getTime() },
    });
    this.limiter?.setRate(this.adaptive.requestsPerSecond);
    return true;
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
      const answered = await this.limiter?.acquire(this.shutdown);
      const ticket = this.startTicket();
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
        if (answer === undefined) {
          called = false;
          return undefined;
        }
        const result = await answer;
        if (ticket) this.applyRate(this.adaptive?.acceptedCall(ticket));
        return result;
      } catch (error) {
        outcome = UnreelProviderError.isInstance(error) ? error.code : 'ERROR';
        if (ticket && outcome === 'RATE_LIMITED') this.applyRate(this.adaptive?.throttled(ticket));
        throw error;
      } finally {
        answered?.();
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

  private startTicket(): RateTicket | undefined {
    if (!this.adaptive) return undefined;
    const { ticket, change } = this.adaptive.start();
    this.applyRate(change);
    return ticket;
  }

  private applyRate(change: RateChange | undefined): void {
    if (!change) return;
    this.limiter?.setRate(change.to);
    this.onRateChange?.(change);
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
    // Calls that hold a place in the queue already wait in the limiter: it holds them too.
    this.limiter?.pauseFor(ms);
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

/** The configured or documented rate, when it is one a limiter can keep (positive and finite). */
function configuredRate(account: Account): number | undefined {
  const rate = account.limits.requestsPerSecond;
  return rate !== undefined && Number.isFinite(rate) && rate > 0 ? rate : undefined;
}
