/** An account's rate as learned from its provider's throttles (see AdaptiveRate), kept across restarts. */
export interface LearnedRate {
  account: string;
  requestsPerSecond: number;
  /** The configured (or documented) rate it was learned under: once the config says another, it no longer applies. */
  configuredRequestsPerSecond: number;
  learnedAt: Date;
}

/**
 * Where learned rates survive a restart: the journal's stores implement it beside OperationStore (a PostgreSQL store
 * would too). One row per account, the latest change; writes apply in the order they were called.
 */
export interface LearnedRateStore {
  listLearnedRates(): Promise<LearnedRate[]>;
  saveLearnedRate(rate: LearnedRate): Promise<void>;
}
