import type { StandardSchemaV1 } from '@standard-schema/spec';
import { completeProvider, type ProviderDefinitionV1 } from './provider-definition-v1.js';
import type { VideoProviderV1 } from './video-provider-v1.js';

/** The narrow logger a plugin gets; the host decides where lines go and redacts secrets. */
export interface ProviderLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface PluginContextV1 {
  /** The account name from config, for log lines and error messages. */
  account: string;
  /** Use this instead of the global so the host can instrument or replace the transport. */
  fetch: typeof globalThis.fetch;
  logger: ProviderLogger;
}

export interface VideoProviderPluginV1<Settings = unknown> {
  readonly specificationVersion: 'v1';
  /** Kebab-case provider id, e.g. `api-video`. */
  readonly id: string;
  readonly displayName?: string;
  /** Any Standard Schema (zod 4, valibot, arktype...): validated at load, failing fast naming the field. */
  readonly settingsSchema: StandardSchemaV1<unknown, Settings>;
  /** Dotted paths of settings that hold credentials: redacted from logs, errors and the API. */
  readonly secretSettings?: readonly string[];
  create(settings: Settings, context: PluginContextV1): VideoProviderV1;
}

/**
 * What `definePlugin` takes: a `VideoProviderPluginV1` whose `specificationVersion` may be left out (it is `v1`), and
 * whose `create` may return a provider that leaves out what the plugin already says (see `ProviderDefinitionV1`).
 * A plugin written in full, as before, is taken as it is.
 */
export interface PluginDefinitionV1<Settings = unknown> extends Omit<
  VideoProviderPluginV1<Settings>,
  'specificationVersion' | 'create'
> {
  readonly specificationVersion?: 'v1';
  create(settings: Settings, context: PluginContextV1): ProviderDefinitionV1;
}

/**
 * Declares a plugin, with full type inference from its settings schema. It fills what the definition may leave out:
 * `specificationVersion`, and in each created provider its `specificationVersion`, its `provider` (the plugin id),
 * `capabilities.maxBatchSize` (1), `capabilities.restore` (read from whether `doRestoreVideo` is there) and a batch
 * `doDeleteVideos` around a single-id `doDeleteVideo`. A provider that already has all of them is returned as it is.
 */
export function definePlugin<Settings>(plugin: PluginDefinitionV1<Settings>): VideoProviderPluginV1<Settings> {
  const create = plugin.create.bind(plugin);
  return {
    ...plugin,
    specificationVersion: 'v1',
    create: (settings, context) => completeProvider(create(settings, context), plugin.id),
  };
}

export function isVideoProviderPluginV1(value: unknown): value is VideoProviderPluginV1 {
  if (value == null || typeof value !== 'object') return false;
  const candidate = value as Partial<VideoProviderPluginV1>;
  return (
    candidate.specificationVersion === 'v1' &&
    typeof candidate.id === 'string' &&
    typeof candidate.create === 'function' &&
    candidate.settingsSchema != null &&
    typeof candidate.settingsSchema === 'object' &&
    '~standard' in candidate.settingsSchema
  );
}
