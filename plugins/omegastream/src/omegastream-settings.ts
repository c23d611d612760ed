import { z } from 'zod';

/** The video API base of the current docs (the old doc's `…/company/company/client/video` was a typo). */
export const OMEGASTREAM_PRODUCTION_BASE_URL = 'https://api.omegastream.net/company/client/video';

/**
 * `delete_videos` is the bulk path of the current docs; `bulk_delete` is the same call under the path of the older
 * doc (removed from the docs in 2023), kept for accounts still served by it.
 */
const OMEGASTREAM_BULK_PATHS = ['delete_videos', 'bulk_delete'] as const;
export type OmegastreamBulkPath = (typeof OMEGASTREAM_BULK_PATHS)[number];

export const omegastreamSettingsSchema = z
  .object({
    /** The key from https://dash.omegastream.net/developer, sent as `Authorization: Bearer <apiKey>`. */
    apiKey: z
      .string({ error: 'apiKey is required: the API key from the OmegaStream dashboard (Developer page)' })
      .trim()
      .min(1, 'apiKey must not be empty'),
    /** The video API base: every path (`/:uuid`, `/delete_videos`, `/deleted`, the list itself) hangs off it. */
    baseUrl: z
      .url({
        protocol: /^https?$/,
        error: 'baseUrl must be an http(s) URL such as https://api.omegastream.net/company/client/video',
      })
      .default(OMEGASTREAM_PRODUCTION_BASE_URL),
    bulkPath: z
      .enum(OMEGASTREAM_BULK_PATHS, { error: `bulkPath must be one of ${OMEGASTREAM_BULK_PATHS.join(', ')}` })
      .default('delete_videos'),
    /** Per HTTP attempt; the host's per-call timeout still bounds the whole call. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** OmegaStream documents no rate limit; set one here when your account has been given one. */
    requestsPerSecond: z.number().positive().optional(),
    /** OmegaStream documents no retention for deleted videos; set it when you know yours, so restores are bounded. */
    restoreWindowDays: z.number().positive().optional(),
  })
  .strict();

export type OmegastreamSettingsInput = z.input<typeof omegastreamSettingsSchema>;
export type OmegastreamSettings = z.output<typeof omegastreamSettingsSchema>;
