import type { StartSimulatorOptions } from '@unreel/provider-kit/simulator';
import type { RateLimitConfig } from './api-video-rate-limits.js';

/** Every switch of the api.video simulator; the README documents each one and why it exists. */
export interface ApiVideoSimulatorOptions extends StartSimulatorOptions {
  /** The one valid API key (default: derived from `seed`, so `pnpm simulate` prints the same key every run). */
  apiKey?: string;
  /** Picks the documented rate limits: writes 200/min and reads 500/min in production, 40 and 100 in the sandbox. */
  environment?: 'production' | 'sandbox';
  /**
   * The account has the Video Restore feature: DELETE discards a video for 90 days instead of deleting it.
   * Default false, as the API's own default ("By default, deleted videos cannot be recovered").
   */
  videoRestore?: boolean;
  /** The simulator's clock (ms since the epoch): token expiry, the 90-day purge and rate-limit windows follow it. */
  now?: () => number;
  /** Override of the documented per-minute budgets (`limit` = writes); `false` turns limiting and its headers off. */
  rateLimit?: RateLimitConfig | false;
  /** Undocumented: what `DELETE /videos/{id}` answers for a video already discarded. Default '404'. */
  deleteDiscarded?: '404' | '204';
  /** Undocumented: what `GET /videos/{id}` answers for a discarded video. Default '404'; 'video' = 200 with `discarded: true`. */
  getDiscarded?: '404' | 'video';
  /** Undocumented: whether a video still being uploaded or ingested can be deleted. Default 'allowed'; 'refused' = 409. */
  deleteIngesting?: 'allowed' | 'refused';
  /** Undocumented: the body of a 401 (default: problem details); `null` answers 401 without a body. */
  unauthorizedBody?: Record<string, unknown> | null;
  /**
   * Not api.video's behaviour, as far as its docs show: every refusal quotes in `detail` the credential it refused
   * (the Authorization header of a 401, the `apiKey` or `refreshToken` of a refused /auth call), as some APIs do. Lets a
   * test prove that no credential a client sent survives into its errors or logs. Default false.
   */
  echoCredentials?: boolean;
  /** `expires_in` of bearer tokens; default 3600 as documented. */
  tokenTtlSeconds?: number;
  /** Latency of every answer, uniformly in [min, max] ms. */
  latencyMs?: readonly [number, number];
  /** Fraction of requests answered 500 without acting. */
  errorRate?: number;
}

export const RETENTION_DAYS = 90;
