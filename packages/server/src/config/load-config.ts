import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { withAllowedOriginsFromEnv } from './allowed-origins-env.js';
import { ConfigError } from './config-error.js';
import { describeIssuePath } from './config-path.js';
import { configSchema, type UnreelConfig, type UnreelConfigInput } from './config-schema.js';
import { interpolateConfig } from './interpolate-env.js';

export interface LoadedConfig {
  config: UnreelConfig;
  /** The file it came from; undefined for the embedded default or a config given in code. */
  path: string | undefined;
  /** Folder that relative plugin paths and package names resolve from. */
  baseDir: string;
  embeddedDefault: boolean;
}

const DEFAULT_CONFIG_FILE = 'unreel.config.json';

/** The embedded default: one sandbox account, nothing to install or configure, reachable from this machine only. */
export const embeddedDefaultConfig: UnreelConfigInput = {
  server: { host: '127.0.0.1' },
  // A few uploads that failed processing, as a real library has: the first clean-up a newcomer tries
  // (`unreel delete --account sandbox --status FAILED --dry-run`, the console's "Delete all matching") finds some.
  accounts: [{ name: 'sandbox', plugin: '@unreel/plugin-sandbox', settings: { failedRatio: 0.05 } }],
};

export function loadConfig(
  options: { path?: string | undefined; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  // An empty UNREEL_CONFIG means unset, as shells make it easy to export one by accident.
  const explicit = options.path ?? (env.UNREEL_CONFIG || undefined);
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit !== undefined) throw new ConfigError(`Config file ${file} does not exist (UNREEL_CONFIG)`);
    return {
      config: parseConfig(embeddedDefaultConfig, 'embedded default', env),
      path: undefined,
      baseDir: cwd,
      embeddedDefault: true,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `Invalid config ${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { config: parseConfig(raw, file, env), path: file, baseDir: path.dirname(file), embeddedDefault: false };
}

/** A config given in code is parsed as is (relative paths resolve from `cwd`); anything else is `loadConfig`'s to find. */
export function resolveConfig(
  source: UnreelConfigInput | string | undefined,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): LoadedConfig {
  if (typeof source === 'object')
    return {
      config: parseConfig(source, 'given in code', options.env),
      path: undefined,
      baseDir: options.cwd,
      embeddedDefault: false,
    };
  return loadConfig({ path: source, cwd: options.cwd, env: options.env });
}

/**
 * Validates a config after `${VAR}` interpolation of its strings (those holding secrets are interpolated later, where
 * they are used), then adds the origins of UNREEL_ALLOWED_ORIGINS; the first problem is one line naming the place.
 */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): UnreelConfig {
  let interpolated: unknown;
  try {
    interpolated = interpolateConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`Invalid config ${source}: ${error.message}`);
    throw error;
  }
  const result = configSchema.safeParse(interpolated);
  if (result.success) return withAllowedOriginsFromEnv(result.data, env);
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  throw new ConfigError(`Invalid config ${source}: ${describeIssuePath(raw, issue.path)}${issue.message}`);
}
