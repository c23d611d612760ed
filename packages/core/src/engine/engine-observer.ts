import type { ItemStatus } from '../model/operation.js';

export type ProviderMethod = 'delete' | 'get' | 'list' | 'restore';

export interface ProviderCallObservation {
  account: string;
  /** The provider's name as the plugin reports it (`provider.provider`). */
  provider: string;
  method: ProviderMethod;
  durationMs: number;
  /** `ok` when the call answered, else the provider-spec error code (`RATE_LIMITED`, `TIMEOUT`, ...) or `ERROR`. */
  outcome: string;
}

export interface RetryObservation {
  account: string;
  provider: string;
  method: ProviderMethod;
  /** The error code that made the call worth repeating. */
  code: string;
}

export interface ItemsObservation {
  account: string;
  provider: string;
  status: ItemStatus;
  count: number;
}

export interface RateChangeObservation {
  account: string;
  provider: string;
  /** Requests per second before and after. */
  from: number;
  to: number;
  /**
   * `throttled`: lowered after the provider throttled; `measured`: that decrease corrected once the calls in flight at
   * the throttle answered; `recovered`: raised after a quiet period.
   */
  reason: 'throttled' | 'measured' | 'recovered';
}

/**
 * What the engine tells whoever watches it (the server's Prometheus metrics). Calls are synchronous and must not
 * throw: they sit on the deletion path. Core knows no metrics library; this is its only window.
 */
export interface EngineObserver {
  providerCall(observation: ProviderCallObservation): void;
  retry(observation: RetryObservation): void;
  /** Items journaled with a new status (every final outcome and every restore). */
  items(observation: ItemsObservation): void;
  /** An account's learned rate changed (optional: observers written before it was learned still fit). */
  rateChanged?(observation: RateChangeObservation): void;
  /** Cluster mode: a chunk was claimed; `expired`: from a holder whose lease ran out (it died or stalled). */
  leaseClaimed?(observation: { account: string; expired: boolean }): void;
  /** Cluster mode: a batch's write was refused by its fence (its lease had been lost); it changed nothing. */
  leaseLost?(observation: { account: string }): void;
}

export const silentObserver: EngineObserver = { providerCall() {}, retry() {}, items() {} };

/** Counts journaled events by their item's new status, one observation per status. */
export function observeItems(
  observer: EngineObserver,
  account: string,
  provider: string,
  events: readonly { item: { status: ItemStatus } }[],
): void {
  const counts = new Map<ItemStatus, number>();
  for (const event of events) counts.set(event.item.status, (counts.get(event.item.status) ?? 0) + 1);
  for (const [status, count] of counts) observer.items({ account, provider, status, count });
}
