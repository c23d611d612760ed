import { ApiKeySet } from './api-key-set.js';
import { readApiKey } from './read-api-key.js';

/** The key GET /metrics asks for, hashed like tenants' keys; undefined when none is configured. */
export function metricsApiKey(raw: string | undefined, env: NodeJS.ProcessEnv): ApiKeySet<'metrics'> | undefined {
  if (raw === undefined) return undefined;
  const keys = new ApiKeySet<'metrics'>();
  keys.add(readApiKey(raw, env, 'server.metrics.apiKey'), 'metrics');
  return keys;
}
