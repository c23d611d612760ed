import { performance } from 'node:perf_hooks';
import { UnreelProviderError, type CallOptions } from '@unreel/provider-spec';
import type { EngineObserver, ProviderMethod } from '../engine/engine-observer.js';
import { sleep } from '../engine/sleep.js';
import type { Account } from './account.js';
import type { AccountAdmission, AccountAdmissionFactory, AdmissionPermit, RateLearning } from './account-admission.js';
import {
  AdaptiveRate,
  acceptedTransition,
  adaptiveRateSettings,
  initialRateState,
  remeasures,
  startTransition,
  throttledTransition,
  type AdaptiveRateSettings,
  type AdaptiveRateState,
  type RateChange,
  type RateTicket,
  type RateTransition,
} from './adaptive-rate.js';
import { InProcessAccountAdmission } from './in-process-account-admission.js';

export interface AccountGateOptions {
  shutdown: AbortSignal;
  observer: EngineObserver;
  /** The engine's clock, in ms: what decides the learned rate's quiet periods. */
  now: () => number;
  /** Told of every change of the learned rate, after it applies (to journal it, log it, count it). */
  onRateChange?: (change: RateChange) => void;
  /** A change of a shared learned rate was dropped: where it is kept could not be reached (to log it). */
  onRateLost?: (error: unknown) => void;
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
  private readonly onRateLost: (error: unknown) => void;
  /** The learned rate, kept in this process... */
  private adaptive: AdaptiveRate | undefined;
  /** ...or by the admission, for every process that admits this account's calls (one of the two, or neither). */
  private readonly shared: { learning: RateLearning; settings: AdaptiveRateSettings } | undefined;
  /** A step up of the shared rate on its way, so that calls starting meanwhile do not each ask for it. */
  private steppingUp: Promise<void> | undefined;

  constructor(account: Account, options: AccountGateOptions) {
    this.account = account;
    this.shutdown = options.shutdown;
    this.observer = options.observer;
    this.now = options.now;
    this.onRateChange = options.onRateChange;
    this.onRateLost = options.onRateLost ?? (() => {});
    const ceiling = configuredRate(account);
    const context = { account, requestsPerSecond: ceiling, shutdown: this.shutdown };
    this.admission = options.admission?.(context) ?? new InProcessAccountAdmission(context);
    if (ceiling === undefined || !account.limits.learnRate) return;
    const learning = this.admission.learning;
    if (learning) this.shared = { learning, settings: adaptiveRateSettings({ ceiling }) };
    else this.adaptive = new AdaptiveRate({ ceiling, now: this.now });
  }

  rate(): AccountRate {
    const configured = configuredRate(this.account);
    const learned = this.shared
      ? (this.shared.learning.current()?.rate ?? this.shared.settings.ceiling)
      : this.adaptive?.requestsPerSecond;
    return {
      provider: this.account.provider.provider,
      requestsPerSecond: learned ?? configured,
      configuredRequestsPerSecond: configured,
    };
  }

  /** As rate(), after reading a rate shared with other processes again (the last seen one if it cannot be read). */
  async currentRate(): Promise<AccountRate> {
    // Unreadable: the admission has reported Redis away (readiness, metrics); the last seen rate is the answer.
    if (this.shared) await this.shared.learning.refresh().catch(() => undefined);
    return this.rate();
  }

  /**
   * Starts from a rate learned before (the journal's, at start), unless it was learned under another configured rate:
   * an operator who changed the rate knows something newer than what was learned. A shared rate is seeded with it only
   * if none is kept under the same ceiling yet (the first replica to start seeds it; the others read what it holds).
   */
  async adoptLearnedRate(learned: {
    requestsPerSecond: number;
    configuredRequestsPerSecond: number;
    at: Date;
  }): Promise<boolean> {
    const ceiling = this.shared?.settings.ceiling ?? this.adaptive?.ceiling;
    if (ceiling === undefined || learned.configuredRequestsPerSecond !== ceiling) return false;
    const at = { requestsPerSecond: learned.requestsPerSecond, at: learned.at.getTime() };
    if (this.shared) {
      const { learning, settings } = this.shared;
      return learning.seed(initialRateState(settings, at, learning.now()), ceiling);
    }
    this.adaptive = new AdaptiveRate({ ceiling, now: this.now, learned: at });
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
      const ticket = this.startTicket(permit);
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
        if (ticket) this.acceptedCall(permit, ticket);
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
    if (this.shared) await this.stepUpShared(this.shared);
    return call(await this.admission.acquire(this.shutdown));
  }

  /**
   * A quiet period that passed raises the shared rate before the call asks to start, so it starts under the new one.
   * Checked on the state last seen; only a step that looks due goes to the admission (which checks it again there).
   */
  private stepUpShared({ learning, settings }: NonNullable<AccountGate['shared']>): Promise<void> | undefined {
    if (this.steppingUp) return this.steppingUp;
    const seen = learning.current();
    if (!seen || !startTransition(settings, seen, learning.now()).change) return undefined;
    this.steppingUp = this.updateShared((state, now) =>
      startTransition(settings, state ?? initialRateState(settings, undefined, now), now),
    ).finally(() => (this.steppingUp = undefined));
    return this.steppingUp;
  }

  /** One transition of the shared rate; reported only by the process that stored it, dropped if it cannot be. */
  private updateShared(
    step: (state: AdaptiveRateState | undefined, now: number, accepted: readonly number[]) => RateTransition,
  ): Promise<void> {
    const shared = this.shared as NonNullable<AccountGate['shared']>;
    return shared.learning.update(step).then(
      (change) => {
        if (change) this.onRateChange?.(change);
      },
      (error: unknown) => this.onRateLost(error),
    );
  }

  private acceptedCall(permit: AdmissionPermit, ticket: RateTicket): void {
    if (!this.shared) {
      this.applyRate(this.adaptive?.acceptedCall(ticket));
      return;
    }
    // Counted among the accepted calls first: the transition below reads them.
    permit.release(true);
    const { learning, settings } = this.shared;
    const seen = learning.current();
    if (!seen || !remeasures(seen, ticket)) return;
    void this.updateShared((state, now, accepted) =>
      acceptedTransition(state ?? initialRateState(settings, undefined, now), ticket, now, accepted),
    );
  }

  /**
   * Before the throttled call frees its place: a Retry-After holds the account from the answer on, so neither a call
   * waiting here nor, through a shared admission, one on another replica starts in between (the retry's wait,
   * waitToRetry, comes later, after the outcome is journaled, and only extends it).
   */
  private throttledBy(error: UnreelProviderError, ticket: RateTicket | undefined): void {
    if (ticket && this.shared) {
      const { learning, settings } = this.shared;
      // A throttle of an earlier generation than the one last seen was acted on already, here or elsewhere.
      if ((learning.current()?.generation ?? 0) === ticket.generation) {
        void this.updateShared((state, now, accepted) =>
          throttledTransition(state ?? initialRateState(settings, undefined, now), ticket, now, accepted, settings),
        );
      }
    } else if (ticket) this.applyRate(this.adaptive?.throttled(ticket));
    if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) {
      this.admission.pause(Math.min(error.retryAfterMs, this.account.limits.maxRetryAfterMs));
    }
  }

  private startTicket(permit: AdmissionPermit): RateTicket | undefined {
    if (this.shared) return permit.ticket;
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
