import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { configSchema, type UnreelConfig, type UnreelConfigInput } from './config-schema.js';

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
  accounts: [{ name: 'sandbox', plugin: '@unreel/plugin-sandbox', settings: {} }],
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
      config: parseConfig(embeddedDefaultConfig, 'embedded default'),
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
  return { config: parseConfig(raw, file), path: file, baseDir: path.dirname(file), embeddedDefault: false };
}

/** A config given in code is parsed as is (relative paths resolve from `cwd`); anything else is `loadConfig`'s to find. */
export function resolveConfig(
  source: UnreelConfigInput | string | undefined,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): LoadedConfig {
  if (typeof source === 'object')
    return {
      config: parseConfig(source, 'given in code'),
      path: undefined,
      baseDir: options.cwd,
      embeddedDefault: false,
    };
  return loadConfig({ path: source, cwd: options.cwd, env: options.env });
}

export function parseConfig(raw: unknown, source: string): UnreelConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  throw new ConfigError(`Invalid config ${source}: ${describeIssuePath(raw, issue.path)}${issue.message}`);
}

/**
 * `accounts[1] "vod": settings.apiKey: `: accounts and tenants are named, not just numbered, because that is what
 * people grep for.
 */
function describeIssuePath(raw: unknown, issuePath: readonly PropertyKey[]): string {
  const list = issuePath[0];
  if ((list === 'accounts' || list === 'tenants') && typeof issuePath[1] === 'number') {
    const entries = (raw as Record<string, unknown> | null)?.[list];
    const name = Array.isArray(entries) ? (entries[issuePath[1]] as { name?: unknown } | undefined)?.name : undefined;
    const head = `${list}[${issuePath[1]}]${typeof name === 'string' ? ` "${name}"` : ''}`;
    const rest = formatPath(issuePath.slice(2));
    return rest ? `${head}: ${rest}: ` : `${head}: `;
  }
  const rest = formatPath(issuePath);
  return rest ? `${rest}: ` : '';
}

export function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}
