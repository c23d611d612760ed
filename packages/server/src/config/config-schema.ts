import { z } from 'zod';
import { ACCOUNT_NAME_PATTERN } from '@unreel/core';
import { parseDuration } from './duration.js';

const duration = z.union([z.string(), z.number()]).transform((value, context) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: `expected a duration such as "15m", "30s" or milliseconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

export const accountConfigSchema = z
  .object({
    name: z.string().regex(ACCOUNT_NAME_PATTERN, 'must be lower-case letters, digits, "-" or "_" (at most 63)'),
    plugin: z.string().min(1),
    settings: z.record(z.string(), z.unknown()).default({}),
    limits: z
      .object({
        requestsPerSecond: z.number().positive().optional(),
        concurrency: z.number().int().min(1).max(256).optional(),
        callTimeoutMs: z.number().int().min(100).optional(),
        maxAttempts: z.number().int().min(1).max(50).optional(),
      })
      .strict()
      .default({}),
    /** Hold deletions this long as SCHEDULED so they can be undone, even on providers that delete permanently. */
    deleteDelay: duration.optional(),
  })
  .strict();

const DAY_MS = 86_400_000;

/** Finished operations are kept this long, so that a retry with the same operationId still finds its result. */
const DEFAULT_RETENTION_MS = 30 * DAY_MS;

const journalDrivers = z.discriminatedUnion('driver', [
  z
    .object({
      driver: z.literal('sqlite'),
      /** Relative to the config file's folder (the working directory for the embedded default). */
      path: z.string().min(1).default('.unreel/journal.db'),
      synchronous: z.enum(['normal', 'full']).default('normal'),
      retention: duration.default(DEFAULT_RETENTION_MS),
    })
    .strict(),
  z.object({ driver: z.literal('memory'), retention: duration.default(DEFAULT_RETENTION_MS) }).strict(),
]);

/** `driver` may be left out: the SQLite file is the default. */
export const journalConfigSchema = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) && !('driver' in value) ? { driver: 'sqlite', ...value } : value),
  journalDrivers,
);

export const configSchema = z
  .object({
    /** Where operations are journaled: a SQLite file by default; memory for tests and throwaway runs. */
    journal: journalConfigSchema.default({ driver: 'sqlite', path: '.unreel/journal.db', synchronous: 'normal', retention: DEFAULT_RETENTION_MS }),
    server: z
      .object({
        host: z.string().min(1).optional(),
        port: z.number().int().min(0).max(65_535).optional(),
        /** How long deleteVideos(wait: true) waits before answering with the operation still RUNNING. */
        deleteWaitMs: z.number().int().min(0).max(600_000).default(30_000),
        maxIdsPerOperation: z.number().int().min(1).max(1_000_000).default(10_000),
      })
      .strict()
      .default({ deleteWaitMs: 30_000, maxIdsPerOperation: 10_000 }),
    accounts: z.array(accountConfigSchema).min(1, 'at least one account is needed'),
  })
  .strict()
  .superRefine((config, context) => {
    const seen = new Set<string>();
    config.accounts.forEach((account, index) => {
      if (seen.has(account.name)) {
        context.addIssue({ code: 'custom', path: ['accounts', index, 'name'], message: `"${account.name}" is used by another account` });
      }
      seen.add(account.name);
    });
  });

export type UnreelConfig = z.output<typeof configSchema>;
export type UnreelConfigInput = z.input<typeof configSchema>;
export type AccountConfig = z.output<typeof accountConfigSchema>;
export type JournalConfig = z.output<typeof journalConfigSchema>;
