import { describeDatabase } from '@unreel/cluster';
import type { UnreelConfig } from './config-schema.js';

/**
 * The config as the rest of the server sees it (the container's CONFIG): API keys live only as digests, in the tenant
 * directory, and a PostgreSQL journal's URL without its user and password.
 */
export function configWithoutKeys(config: UnreelConfig): UnreelConfig {
  return {
    ...config,
    journal:
      config.journal.driver === 'postgres'
        ? { ...config.journal, url: describeDatabase(config.journal.url) }
        : config.journal,
    server: { ...config.server, metrics: { enabled: config.server.metrics.enabled } },
    ...(config.tenants
      ? { tenants: config.tenants.map((tenant) => ({ ...tenant, apiKeys: tenant.apiKeys.map(() => '[hashed]') })) }
      : {}),
  };
}
