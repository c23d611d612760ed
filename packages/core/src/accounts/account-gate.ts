import { performance } from 'node:perf_hooks';
import { UnreelProviderError, type CallOptions } from '@unreel/provider-spec';
import type { EngineObserver, ProviderMethod } from '../engine/engine-observer.js';
import { sleep } from '../engine/sleep.js';
import type { Account } from './account.js';
import type { AccountAdmission, AccountAdmissionFactory, AdmissionPermit } from './account-admission.js';
import { AdaptiveRate, type RateChange, type RateTicket } from './adaptive-rate.js';
import { InProcessAccountAdmission } from './in-process-account-admission.js';

export interface AccountGateOptions {
  shutdown: AbortSignal;
  observer: EngineObserver;
  /** The engine's clock, in ms: what decides the learned rate's quiet periods. */
  now: () => number;
  /** Told of every change of the learned rate, after it applies (to journal it, log it, count it). */
  onRateChange?: (change: RateChange) => void;
  /** Builds where the limits are kept; default in this process (InProcessAccountAdmission). */
  admission?: AccountAdmissionFactory | undefined;
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
 * AdaptiveRate), and the admission (see AccountAdmission; in one process a RateWindowLimiter) spaces calls by when
 * they can have arrived, not when they started, so jitter on the way never puts one more into a provider's window.
 */
export class AccountGate {
  readonly account: Account;
  private readonly admission: AccountAdmission;
  private readonly shutdown: AbortSignal;
  private readonly observer: EngineObserver;
  private readonly now: () => number;
  private readonly onRateChange: ((change: RateChange) => void) | undefined;
  private adaptive: AdaptiveRate | undefined;

  constructor(account: Account, options: AccountGateOptions) {
    this.account = account;
    this.shutdown = options.shutdown;
    this.observer = options.observer;
    this.now = options.now;
    this.onRateChange = options.onRateChange;
    const ceiling = configuredRate(account);
    if (ceiling !== undefined && account.limits.learnRate) this.adaptive = new AdaptiveRate({ ceiling, now: this.now });
    const context = { account, requestsPerSecond: ceiling, shutdown: this.shutdown };
    this.admission = options.admission?.(context) ?? new InProcessAccountAdmission(context);
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
    this.admission.setRate(this.adaptive.requestsPerSecond);
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
    return this.admitted(async (permit) => {
      const ticket = this.startTicket();
      // Not AbortSignal.timeout(): inside AbortSignal.any() nothing but a weak reference holds it, and once a garbage
      // collection takes it the call has no deadline left (a lookup then ran for 61.9 s). A timer holds its controller.
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new DOMException('The provider call timed out', 'TimeoutError')),
        this.account.limits.callTimeoutMs,
      );
      const signal = AbortSignal.any([deadline.signal, this.shutdown]);
      // Timed once admitted: the latency is the provider's, not the time spent waiting for our own limits.
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
        if (outcome === 'RATE_LIMITED') this.throttledBy(error as UnreelProviderError, ticket);
        throw error;
      } finally {
        permit.release();
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

  private async admitted<T>(call: (permit: AdmissionPermit) => Promise<T>): Promise<T> {
    return call(await this.admission.acquire(this.shutdown));
  }

  /**
   * Before the throttled call frees its place: a Retry-After holds the account from the answer on, so neither a call
   * waiting here nor, through a shared admission, one on another replica starts in between (the retry's wait,
   * waitToRetry, comes later, after the outcome is journaled, and only extends it).
   */
  private throttledBy(error: UnreelProviderError, ticket: RateTicket | undefined): void {
    if (ticket) this.applyRate(this.adaptive?.throttled(ticket));
    if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) {
      this.admission.pause(Math.min(error.retryAfterMs, this.account.limits.maxRetryAfterMs));
    }
  }

  private startTicket(): RateTicket | undefined {
    if (!this.adaptive) return undefined;
    const { ticket, change } = this.adaptive.start();
    this.applyRate(change);
    return ticket;
  }

  private applyRate(change: RateChange | undefined): void {
    if (!change) return;
    this.admission.setRate(change.to);
    this.onRateChange?.(change);
  }

  /**
   * Waits before a retry, or until shutdown or `signal`. A throttle holds the whole account, not just the call that was
   * told: the admission then makes that call wait its turn like every other. Any other failure waits alone.
   */
  async waitToRetry(ms: number, throttled: boolean, signal?: AbortSignal): Promise<void> {
    if (throttled) this.admission.pause(ms);
    else await sleep(ms, signal ? AbortSignal.any([this.shutdown, signal]) : this.shutdown);
  }

  /** Waiting calls still start, see the aborted shutdown signal and fail fast, so every caller settles. */
  close(): void {
    this.admission.close();
  }
}

/** The configured or documented rate, when it is one a limiter can keep (positive and finite). */
function configuredRate(account: Account): number | undefined {
  const rate = account.limits.requestsPerSecond;
  return rate !== undefined && Number.isFinite(rate) && rate > 0 ? rate : undefined;
}
