import type { Account } from './account.js';

/** One admitted call's place in its account's limits, held until its answer came back (or it failed). */
export interface AdmissionPermit {
  /**
   * The answer came, or the call failed: frees its concurrency place, and its count in the rate window ends no later
   * than now (the provider had the call by then). Calling it again does nothing.
   */
  release(): void;
}

/**
 * Decides when a call to one provider account may start: at most the account's concurrency in flight, at most its
 * rate's calls arriving in any window (see rateWindow: a call counts until its answer), and nothing while a throttle's
 * wait holds the account. The engine's default keeps these in the process (InProcessAccountAdmission); a cluster keeps
 * them where every replica sees them, so the limits hold across all of them.
 */
export interface AccountAdmission {
  /**
   * Resolves when a call may start, in the order calls asked, with its permit. On abort it resolves at once with a
   * permit that counted nothing, so every caller settles (the call then sees its aborted signal and fails fast).
   */
  acquire(signal: AbortSignal): Promise<AdmissionPermit>;
  /** A throttle or Retry-After: no call starts for `ms`, calls already waiting included. */
  pause(ms: number): void;
  /** The rate calls keep to from now on (the learned rate changed); calls already waiting see it too. */
  setRate(requestsPerSecond: number): void;
  /** Shutdown: waiting calls are let go (their signal is aborted), timers and connections of its own end. */
  close(): void;
}

export interface AccountAdmissionContext {
  account: Account;
  /** The rate to keep to at first; undefined when the account has none (only concurrency is limited). */
  requestsPerSecond: number | undefined;
  /** Aborted when the engine closes. */
  shutdown: AbortSignal;
}

/** What the engine calls once per account to build its admission (DeletionEngineDeps.admission). */
export type AccountAdmissionFactory = (context: AccountAdmissionContext) => AccountAdmission;
