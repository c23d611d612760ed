import { z } from 'zod';

/** Where Elytron serves its API; the sandbox takes its own keys, so an account is bound to one environment. */
const elytronBaseUrls = {
  production: 'https://api.elytron.com/v1',
  sandbox: 'https://sandbox-api.elytron.com/v1',
} as const;

/**
 * Requests per minute by plan. Elytron counts per minute but the host meters per second, so capabilities divide by
 * 60: a steady drip never trips the per-minute window, where a burst at the minute's start would.
 */
export const elytronPlanLimits = { free: 10, pro: 100, enterprise: 1_000 } as const;

export type ElytronPlan = keyof typeof elytronPlanLimits;

export const elytronSettingsSchema = z
  .object({
    /** Sent as `Authorization: Bearer <apiKey>`. Secret. */
    apiKey: z.string().min(1, 'apiKey is required'),
    environment: z.enum(['production', 'sandbox']).default('production'),
    /** Replaces the environment's URL, e.g. with a simulator's; keep the `/v1` the real hosts have. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL' }).optional(),
    /** The account's plan decides its documented rate limit; the host's `limits.requestsPerSecond` still wins. */
    plan: z.enum(['free', 'pro', 'enterprise']).default('free'),
    /** Per request; the host bounds the whole call with its own timeout too. */
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
  })
  .strict();

export type ElytronSettingsInput = z.input<typeof elytronSettingsSchema>;
export type ElytronSettings = z.output<typeof elytronSettingsSchema>;

export function elytronBaseUrl(settings: Pick<ElytronSettings, 'environment' | 'baseUrl'>): string {
  return settings.baseUrl ?? elytronBaseUrls[settings.environment];
}
