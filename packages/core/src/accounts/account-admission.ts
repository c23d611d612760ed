import type { Account } from './account.js';
import type { AdaptiveRateState, RateChange, RateTicket, RateTransition } from './adaptive-rate.js';

/** One admitted call's place in its account's limits, held until its answer came back (or it failed). */
export interface AdmissionPermit {
  /**
   * The answer came, or the call failed: frees its concurrency place, and its count in the rate window ends no later
   * than now (the provider had the call by then). Calling it again does nothing. `accepted`: the provider accepted
   * the call (a learning admission counts it, see RateLearning).
   */
  release(accepted?: boolean): void;
  /** With a RateLearning: the generation of the shared rate the call was admitted under, and when (shared clock). */
  readonly ticket?: RateTicket | undefined;
}

/**
 * An admission that keeps the account's learned rate itself, one for every process that admits its calls (a cluster's
 * replicas): AccountGate then computes each transition (AdaptiveRate's functions) on the state it reads here, and
 * never calls setRate. Every acquire keeps to the shared rate.
 */
export interface RateLearning {
  /** The shared state as last seen (refreshed whenever a reply shows it changed); undefined: none yet, the ceiling. */
  current(): AdaptiveRateState | undefined;
  /**
   * Reads the shared state again: a process that makes no calls of this account (a `worker: false` replica, or one
   * idle) would otherwise show the state it last saw. Rejects when it cannot be read (the last seen one stays).
   */
  refresh(): Promise<void>;
  /** The shared clock's time now, as estimated from the last reply (for checks on `current()` only). */
  now(): number;
  /**
   * Stores `state` (a rate learned before) unless one was already kept under the same ceiling; true if stored. Rejects
   * when it cannot be told.
   */
  seed(state: AdaptiveRateState, ceiling: number): Promise<boolean>;
  /**
   * Reads the shared state (undefined: none yet), the start times of the calls accepted lately and the shared clock,
   * applies `step`, and stores its state if no one changed the shared one meanwhile; else it tries again on the
   * winner's. Resolves with the change only when this call stored it (so each change is reported once), rejects when
   * the state could not be read or stored (the transition is dropped, never applied here alone).
   */
  update(
    step: (state: AdaptiveRateState | undefined, now: number, accepted: readonly number[]) => RateTransition,
  ): Promise<RateChange | undefined>;
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
  /** Present when this admission keeps the learned rate (see RateLearning); else the gate learns it in process. */
  readonly learning?: RateLearning | undefined;
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
