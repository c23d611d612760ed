import { ConfigError } from './config-error.js';
import { allowedOrigin, type UnreelConfig } from './config-schema.js';

const VARIABLE = 'UNREEL_ALLOWED_ORIGINS';

/**
 * `UNREEL_ALLOWED_ORIGINS` (comma-separated) adds browser origins to `server.allowedOrigins`, so that a frontend on
 * another origin can be allowed without writing a config file, which would have to restate the embedded default's
 * accounts. Each entry meets the same rule as the setting; a bad one stops the start naming the variable.
 */
export function withAllowedOriginsFromEnv(config: UnreelConfig, env: NodeJS.ProcessEnv): UnreelConfig {
  const entries = (env[VARIABLE] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    // A trailing comma, or an empty variable, adds nothing.
    .filter((entry) => entry !== '');
  if (entries.length === 0) return config;
  entries.forEach((entry, index) => {
    const result = allowedOrigin.safeParse(entry);
    if (!result.success) {
      const message = result.error.issues[0]?.message ?? 'is not an origin';
      throw new ConfigError(`Invalid ${VARIABLE}: entry ${index + 1} ${JSON.stringify(entry)} ${message}`);
    }
  });
  const allowedOrigins = [...new Set([...config.server.allowedOrigins, ...entries])];
  return { ...config, server: { ...config.server, allowedOrigins } };
}
