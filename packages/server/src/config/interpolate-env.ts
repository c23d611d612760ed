import { ConfigError } from './config-error.js';
import { describeIssuePath } from './config-path.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` in every string of a settings tree with the environment's value, so secrets stay out of the
 * file. A missing variable is an error naming where it was needed, never silently an empty string.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, where: string): unknown {
  return walk(value, env, [], (path) => `${where}${path.length > 0 ? formatSuffix(path) : ''}`);
}

/**
 * `${VAR}` in every string of a config, at load, except where secrets live: plugin settings, tenants' keys and the
 * metrics key are interpolated where they are used (the plugin loader, the key readers), so the parsed config an
 * operator may log or inspect never holds a secret's value.
 */
export function interpolateConfig(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  return walk(raw, env, [], (path) => describeIssuePath(raw, path).replace(/: $/, ''), isSecretBearing);
}

function isSecretBearing(path: readonly PropertyKey[]): boolean {
  const [list, index, key] = path;
  if (list === 'accounts' && typeof index === 'number' && key === 'settings') return true;
  if (list === 'tenants' && typeof index === 'number' && key === 'apiKeys') return true;
  return path.length === 3 && list === 'server' && index === 'metrics' && key === 'apiKey';
}

function walk(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: PropertyKey[],
  name: (path: readonly PropertyKey[]) => string,
  skip: (path: readonly PropertyKey[]) => boolean = () => false,
): unknown {
  if (skip(path)) return value;
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_match, variable: string) => {
      const found = env[variable];
      if (found === undefined) throw new ConfigError(`${name(path)}: environment variable ${variable} is not set`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((entry, index) => walk(entry, env, [...path, index], name, skip));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, walk(entry, env, [...path, key], name, skip)]),
    );
  }
  return value;
}

function formatSuffix(path: readonly PropertyKey[]): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('');
}
