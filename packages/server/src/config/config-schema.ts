import { z } from 'zod';
import { ACCOUNT_NAME_PATTERN } from '@unreel/core';
import { parseDuration } from './duration.js';

const duration = z.union([z.string(), z.number()]).transform((value, context) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    context.addIssue({
      code: 'custom',
      message: `expected a duration such as "15m", "30s" or milliseconds, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms;
});

/**
 * A plugin is code this process runs, so it comes from what an operator installed: a package name (`@scope/name`,
 * `name/subpath`) or a file path, never a URL that would bring code from elsewhere (`data:`, `http:`). A Windows
 * drive letter (`C:\plugins\x.js`) is a path.
 */
function isPackageOrPath(specifier: string): boolean {
  if (/^[A-Za-z]:[\\/]/.test(specifier)) return true;
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(specifier);
}

const NAME_RULE = 'must be lower-case letters, digits, "-" or "_" (at most 63)';

const accountConfigSchema = z
  .object({
    name: z.string().regex(ACCOUNT_NAME_PATTERN, NAME_RULE),
    plugin: z
      .string()
      .min(1)
      .refine(isPackageOrPath, 'must be a package name or a file path; URLs (data:, http:, file:, ...) are not loaded'),
    settings: z.record(z.string(), z.unknown()).default({}),
    limits: z
      .object({
        requestsPerSecond: z.number().positive().optional(),
        learnRate: z.boolean().optional(),
        concurrency: z.number().int().min(1).max(256).optional(),
        callTimeoutMs: z.number().int().min(100).optional(),
        maxAttempts: z.number().int().min(1).max(50).optional(),
      })
      .strict()
      .default({}),
    /** Hold deletions this long as SCHEDULED so they can be undone, even on providers that delete permanently. */
    deleteDelay: duration.optional(),
    /**
     * What becomes of videos the provider refuses for now but may accept later (still processing, too recent) when a
     * request does not say: FAIL (default) ends them FAILED at once; WAIT keeps them SCHEDULED until the provider
     * allows it, up to engine.blockedRetryHorizon.
     */
    whenBlocked: z.enum(['FAIL', 'WAIT']).default('FAIL'),
  })
  .strict();

const DAY_MS = 86_400_000;

const engineConfigSchema = z
  .object({
    /**
     * How long whenBlocked: WAIT keeps a refused video SCHEDULED, from when it was first due; one whose next attempt
     * would come later ends FAILED with the provider's last refusal.
     */
    blockedRetryHorizon: duration.refine((ms) => ms >= 1_000, 'must be at least 1s').default(DAY_MS),
    /**
     * selectVideos lists at most this many pages (of engine.listPageSize videos) and for at most
     * selectionPreviewTimeout by the engine's clock; beyond either it answers the count so far with complete: false.
     */
    selectionPreviewMaxCalls: z.number().int().min(1).max(100_000).default(200),
    selectionPreviewTimeout: duration.refine((ms) => ms >= 1_000, 'must be at least 1s').default(30_000),
    /** Videos asked for per list call, when previewing a selection and when discovering one to delete. */
    listPageSize: z.number().int().min(1).max(1_000).default(100),
  })
  .strict();

/** Finished operations are kept this long, so that a retry with the same operationId still finds its result. */
const DEFAULT_RETENTION_MS = 30 * DAY_MS;

// The message never repeats the value: a URL may hold a password.
const POSTGRES_URL_RULE = 'must be a PostgreSQL URL such as postgres://user:password@host:5432/database';

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' && url.pathname.length > 1
    );
  } catch {
    return false;
  }
}

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
  z
    .object({
      driver: z.literal('postgres'),
      /** Usually `${DATABASE_URL}`; its password is registered as a secret and never logged. */
      url: z.string().refine(isPostgresUrl, POSTGRES_URL_RULE),
      /** Connections at most: one runs the journal's writes, the others its reads. */
      poolSize: z.number().int().min(2).max(100).default(10),
      retention: duration.default(DEFAULT_RETENTION_MS),
    })
    .strict(),
]);

/** `driver` may be left out: the SQLite file is the default. */
const journalConfigSchema = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && !('driver' in value)
      ? { driver: 'sqlite', ...value }
      : value,
  journalDrivers,
);

// As for the journal's URL, the message never repeats the value.
const REDIS_URL_RULE = 'must be a Redis URL such as redis://host:6379 or rediss://:password@host:6380/0';

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Several replicas sharing one PostgreSQL journal: work handed out as leased chunks, limits shared through Redis. */
const clusterConfigSchema = z
  .object({
    redis: z
      .object({
        /** Usually `${REDIS_URL}`; its password is registered as a secret and never logged. */
        url: z.string().refine(isRedisUrl, REDIS_URL_RULE),
        /** Prepended to every key this deployment writes, so deployments can share one Redis. */
        keyPrefix: z.string().min(1).max(64).default('unreel:'),
      })
      .strict(),
    /** How long a claimed chunk is held without renewal (renewed every third of it): a dead replica's work waits this. */
    leaseMs: z.number().int().min(500).max(600_000).default(15_000),
    /** false: this replica serves the API and streams but claims no work (calls no provider). */
    worker: z.boolean().default(true),
  })
  .strict();

const TENANT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const tenantConfigSchema = z
  .object({
    name: z.string().regex(TENANT_NAME_PATTERN, NAME_RULE),
    /** Bearer keys of this tenant, usually `${ENV}` references; at least 16 characters once interpolated. */
    apiKeys: z.array(z.string().min(1)).min(1, 'at least one API key is needed'),
    /** The accounts this tenant sees and touches; an account belongs to one tenant at most. */
    accounts: z.array(z.string().min(1)).min(1, 'at least one account is needed'),
  })
  .strict();

/** Limits every GraphQL document meets, over HTTP and WebSocket alike, before anything is resolved. */
const queryLimitsSchema = z
  .object({
    maxDepth: z.number().int().min(1).max(100).default(8),
    maxCost: z.number().int().min(1).default(20_000),
    maxAliases: z.number().int().min(0).max(1_000).default(15),
    maxTokens: z.number().int().min(10).default(2_000),
    maxDirectives: z.number().int().min(0).max(1_000).default(20),
  })
  .strict();

const metricsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Bearer key for GET /metrics; required when tenants are configured, so no tenant reads another's figures. */
    apiKey: z.string().min(1).optional(),
  })
  .strict();

/** An origin as browsers send it: scheme, host and port, no path. Also what UNREEL_ALLOWED_ORIGINS entries must be. */
export const allowedOrigin = z
  .string()
  .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be "*" or an origin such as "https://app.example.com" (no path)');

const allowedHost = z
  .string()
  .regex(
    /^(\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*|\[[0-9A-Fa-f:.]+\])$/,
    'must be a host name such as "api.example.com" (no scheme, no port), ".example.com" for it and its subdomains, or an IP address',
  );

const serverConfigSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65_535).optional(),
    /** How long deleteVideos(wait: true) waits before answering with the operation still RUNNING. */
    deleteWaitMs: z.number().int().min(0).max(600_000).default(30_000),
    maxIdsPerOperation: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Operations one tenant may have running at once; beyond it deleteVideos answers TOO_MANY_OPERATIONS. */
    maxRunningOperationsPerTenant: z.number().int().min(1).max(100_000).default(25),
    /** Operations (subscriptions, queries, mutations) one WebSocket may have open at once. */
    maxSubscriptionsPerSocket: z.number().int().min(1).max(10_000).default(50),
    /**
     * WebSockets one tenant may have open at once (without tenants: one client address), counted from an accepted
     * connection_init; beyond it the socket is closed with 4430. With maxSubscriptionsPerSocket, it bounds what one
     * tenant can make this process hold.
     */
    maxSocketsPerTenant: z.number().int().min(1).max(100_000).default(100),
    /**
     * Bytes one WebSocket may have waiting to be sent before progress delivery to it pauses until it drains: what a
     * slow reader can make this process hold, per socket.
     */
    maxSocketBufferBytes: z.number().int().min(65_536).max(268_435_456).default(131_072),
    /** How long a socket may stay at maxSocketBufferBytes before it is closed with 4431 (it resubscribes with `after`). */
    slowSocketCloseMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Largest HTTP body and WebSocket message accepted, in bytes. */
    maxBodyBytes: z.number().int().min(1_024).max(67_108_864).default(1_048_576),
    /**
     * Browser origins allowed to open a WebSocket and to call over CORS, e.g. "https://app.example.com"; "*" allows
     * any. Requests without an Origin (servers, scripts) are always allowed, and so is the server's own origin;
     * without tenants, so are loopback origins (localhost, 127.0.0.1, [::1], any port). UNREEL_ALLOWED_ORIGINS adds
     * to this list.
     */
    allowedOrigins: z.array(allowedOrigin).default([]),
    /**
     * Host names this server answers to besides the loopback ones, e.g. "api.example.com" (any port), or
     * ".example.com" for it and its subdomains. Checked (against DNS rebinding) when there are no tenants, or with
     * tenants once this list is not empty; a request for another Host is refused with 403.
     */
    allowedHosts: z.array(allowedHost).default([]),
    /** Schema introspection; default: on, except when NODE_ENV is "production". */
    introspection: z.boolean().optional(),
    queryLimits: queryLimitsSchema.prefault({}),
    metrics: metricsConfigSchema.prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    /** Where operations are journaled: a SQLite file by default; PostgreSQL; memory for tests and throwaway runs. */
    journal: journalConfigSchema.prefault({}),
    /** Absent: one process runs everything it accepts. Requires journal.driver "postgres". */
    cluster: clusterConfigSchema.optional(),
    server: serverConfigSchema.prefault({}),
    /** How the deletion engine treats videos their provider refuses for now (see accounts[].whenBlocked). */
    engine: engineConfigSchema.prefault({}),
    accounts: z.array(accountConfigSchema).min(1, 'at least one account is needed'),
    /** API keys and the accounts each tenant owns. Absent: one `default` tenant with every account, no authentication. */
    tenants: z.array(tenantConfigSchema).min(1, 'at least one tenant is needed when "tenants" is given').optional(),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.cluster && config.journal.driver !== 'postgres') {
      context.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: `needs journal.driver "postgres" (replicas share one PostgreSQL journal), not "${config.journal.driver}"`,
      });
    }
    const seen = new Set<string>();
    config.accounts.forEach((account, index) => {
      if (seen.has(account.name)) {
        context.addIssue({
          code: 'custom',
          path: ['accounts', index, 'name'],
          message: `"${account.name}" is used by another account`,
        });
      }
      seen.add(account.name);
    });
    const tenantNames = new Set<string>();
    const owners = new Map<string, string>();
    config.tenants?.forEach((tenant, index) => {
      if (tenantNames.has(tenant.name)) {
        context.addIssue({
          code: 'custom',
          path: ['tenants', index, 'name'],
          message: `"${tenant.name}" is used by another tenant`,
        });
      }
      tenantNames.add(tenant.name);
      tenant.accounts.forEach((account, position) => {
        const path = ['tenants', index, 'accounts', position];
        if (!seen.has(account)) context.addIssue({ code: 'custom', path, message: `no account is named "${account}"` });
        const owner = owners.get(account);
        // Shared accounts would share videos, and a tenant could then delete or restore another tenant's videos.
        if (owner !== undefined && owner !== tenant.name) {
          context.addIssue({
            code: 'custom',
            path,
            message: `account "${account}" already belongs to tenant "${owner}"`,
          });
        }
        owners.set(account, tenant.name);
      });
    });
    if (config.tenants && config.server.metrics.enabled && config.server.metrics.apiKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['server', 'metrics', 'apiKey'],
        message: 'required when tenants are configured (or set server.metrics.enabled to false)',
      });
    }
  });

export type UnreelConfig = z.output<typeof configSchema>;
export type UnreelConfigInput = z.input<typeof configSchema>;
export type AccountConfig = z.output<typeof accountConfigSchema>;
export type JournalConfig = z.output<typeof journalConfigSchema>;
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
export type TenantConfig = z.output<typeof tenantConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;
export type QueryLimits = z.output<typeof queryLimitsSchema>;
