import { ConfigError } from './config-error.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` in every string of a settings tree with the environment's value, so secrets stay out of the
 * file. A missing variable is an error naming where it was needed, never silently an empty string.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) throw new ConfigError(`${where}: environment variable ${name} is not set`);
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((entry, index) => interpolateEnv(entry, env, `${where}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, interpolateEnv(entry, env, `${where}.${key}`)]),
    );
  }
  return value;
}
