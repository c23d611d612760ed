import { z } from 'zod';

/**
 * FastPix's current API host. SDK 2.0.6 (2026-05-20) moved every host from `.io` to `.com` and says the `.io` hosts
 * "are slated for deprecation soon", so `.com` is the default and `.io` stays available as a documented variant.
 */
export const FASTPIX_BASE_URL = 'https://api.fastpix.com/v1';
/** The host of SDK branches before 2.0.6; still served during FastPix's migration. */
export const FASTPIX_LEGACY_BASE_URL = 'https://api.fastpix.io/v1';

export const fastpixSettingsSchema = z
  .object({
    /** Access Token ID: the HTTP Basic username. */
    accessTokenId: z.string().min(1),
    /** Secret Key: the HTTP Basic password. */
    secretKey: z.string().min(1),
    /** API root including `/v1`; point it at the legacy host or a simulator. */
    baseUrl: z.url({ protocol: /^https?$/ }).default(FASTPIX_BASE_URL),
    /**
     * The workspace's webhook signing secret (base64, from the dashboard), used to verify `FastPix-Signature`.
     * Without it every signed delivery is refused.
     */
    webhookSecret: z.string().min(1).optional(),
    /** Per HTTP attempt. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Retries of lookups (GET) inside one call; deletes are never retried here, the host retries them. */
    readRetryLimit: z.number().int().min(0).max(5).default(2),
    /** FastPix documents no rate limit; set the one your plan has and the host paces calls to it. */
    requestsPerSecond: z.number().positive().optional(),
  })
  .strict();

export type FastPixSettings = z.output<typeof fastpixSettingsSchema>;
export type FastPixSettingsInput = z.input<typeof fastpixSettingsSchema>;
