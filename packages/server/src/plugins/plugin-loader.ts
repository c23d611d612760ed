import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { defaultAccountLimits, type Account } from '@unreel/core';
import {
  completeProvider,
  describeSchemaIssues,
  isVideoProviderPluginV1,
  type ProviderDefinitionV1,
  type VideoProviderPluginV1,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import { ConfigError } from '../config/config-error.js';
import type { AccountConfig } from '../config/config-schema.js';
import { interpolateEnv } from '../config/interpolate-env.js';
import { messageFirstLogger } from '../logging/message-first-logger.js';
import type { SecretRegistry } from '../logging/secret-registry.js';
import { redactingProvider } from './redacting-provider.js';

export interface LoadAccountsOptions {
  accounts: readonly AccountConfig[];
  /** Folder of the config file: relative plugin paths and third-party packages resolve from here first. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  secrets: SecretRegistry;
}

/** Loads, checks and creates every configured account's provider; the first problem stops the start with one line. */
export async function loadAccounts(options: LoadAccountsOptions): Promise<Account[]> {
  const loaded: Account[] = [];
  for (const [index, config] of options.accounts.entries()) {
    const where = `accounts[${index}] "${config.name}"`;
    const plugin = await importPlugin(config.plugin, options.baseDir, where);
    const rawSettings = interpolateEnv(config.settings, options.env, `${where}: settings`);
    const result = await plugin.settingsSchema['~standard'].validate(rawSettings);
    if (result.issues) {
      // Every issue: a misspelt key is a missing key and an unrecognised one, and only both say what happened.
      throw new ConfigError(
        `${where}: ${describeSchemaIssues(result.issues, { root: 'settings' })} (plugin ${plugin.id})`,
      );
    }
    const settings = result.value;
    for (const secretPath of plugin.secretSettings ?? []) {
      const value = readPath(settings, secretPath);
      if (typeof value === 'string') options.secrets.add(value);
    }
    const log = options.logger.child({ account: config.name, provider: plugin.id });
    const made: unknown = plugin.create(settings, {
      account: config.name,
      fetch: globalThis.fetch,
      logger: messageFirstLogger(log),
    });
    // A plugin declared without definePlugin may still leave out what definePlugin fills; filled here the same way.
    const provider = completeCreated(made, plugin.id, where);
    if (provider?.specificationVersion !== 'v1') {
      throw new ConfigError(`${where}: plugin ${config.plugin} created a provider without specificationVersion "v1"`);
    }
    loaded.push({
      name: config.name,
      pluginId: plugin.id,
      provider: redactingProvider(provider, options.secrets, log),
      limits: defaultAccountLimits(provider, config.limits),
      deleteDelayMs: config.deleteDelay ?? 0,
      whenBlocked: config.whenBlocked,
    });
  }
  return loaded;
}

function completeCreated(made: unknown, id: string, where: string): VideoProviderV1 | undefined {
  if (made == null || typeof made !== 'object') return undefined;
  const candidate = made as { specificationVersion?: unknown };
  if (candidate.specificationVersion !== undefined && candidate.specificationVersion !== 'v1') return undefined;
  try {
    return completeProvider(made as ProviderDefinitionV1, id);
  } catch (error) {
    throw new ConfigError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function importPlugin(specifier: string, baseDir: string, where: string): Promise<VideoProviderPluginV1> {
  let module: Record<string, unknown>;
  try {
    module = (await import(resolvePlugin(specifier, baseDir))) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${where}: cannot load plugin ${specifier}: ${importFailure(error)}`);
  }
  const candidate = module.default ?? module.plugin;
  if (!isVideoProviderPluginV1(candidate)) {
    const version = (candidate as { specificationVersion?: unknown } | undefined)?.specificationVersion;
    const exported = Object.keys(module).join(', ') || 'nothing';
    throw new ConfigError(
      version !== undefined && version !== 'v1'
        ? `${where}: plugin ${specifier} implements specificationVersion ${JSON.stringify(version)}; this server supports "v1"`
        : `${where}: ${specifier} does not default-export a provider plugin (definePlugin({ specificationVersion: "v1", ... })); it exports ${exported}`,
    );
  }
  return candidate;
}

/** A path (relative to the config file) or a package name, looked up next to the config first, then next to us. */
function resolvePlugin(specifier: string, baseDir: string): string {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const bases = isPath ? [baseDir] : [baseDir, path.dirname(fileURLToPath(import.meta.url))];
  for (const base of bases) {
    try {
      return pathToFileURL(
        createRequire(path.join(base, 'noop.js')).resolve(isPath ? path.resolve(baseDir, specifier) : specifier),
      ).href;
    } catch {
      // try the next base
    }
  }
  // Packages that only export an "import" condition are invisible to require.resolve; let import() find them.
  return isPath ? pathToFileURL(path.resolve(baseDir, specifier)).href : specifier;
}

function readPath(value: unknown, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      value,
    );
}

/**
 * Why an import failed, without quoting the file: a parser's message carries the bytes it stopped at, and a
 * specifier pointing at something that is not a module (a key file, say) must not have its content echoed to a log.
 */
function importFailure(error: unknown): string {
  if (error instanceof SyntaxError) return 'it is not a JavaScript module Node can load (a syntax error)';
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
