import { z } from 'zod';

/** Documented hosts (providers.md §2.1); production and sandbox keys are separate and not interchangeable. */
export const API_VIDEO_HOSTS = {
  production: 'https://ws.api.video',
  sandbox: 'https://sandbox.api.video',
} as const;

export const apiVideoSettingsSchema = z
  .object({
    /** The API key of the environment below (production and sandbox keys differ). Secret. */
    apiKey: z.string().min(1, 'apiKey is required'),
    /** Chooses the host and the documented rate limits. */
    environment: z.enum(['production', 'sandbox']).default('production'),
    /** Replaces the environment's host, e.g. with a simulator's URL. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL' }).optional(),
    /**
     * 'basic' sends the key on every request (the default, as the official clients do); 'bearer' trades it for a
     * disposable one-hour token through `POST /auth/api-key`, so the key crosses the wire once an hour.
     */
    auth: z.enum(['basic', 'bearer']).default('basic'),
    /**
     * The account has the Video Restore feature: deletion discards videos for 90 days and they can be restored.
     * Without it api.video deletes permanently, so this must match the account.
     */
    videoRestore: z.boolean().default(false),
    /** Overrides the documented write limit of the environment (200/min production, 40/min sandbox). */
    requestsPerSecond: z.number().positive().optional(),
    /** Per request. */
    timeoutMs: z.number().int().positive().max(300_000).default(10_000),
    /** A bearer token is renewed this long before it expires. */
    tokenRefreshMarginSeconds: z.number().int().min(0).max(3_000).default(60),
  })
  .strict();

export type ApiVideoSettings = z.output<typeof apiVideoSettingsSchema>;
export type ApiVideoSettingsInput = z.input<typeof apiVideoSettingsSchema>;
