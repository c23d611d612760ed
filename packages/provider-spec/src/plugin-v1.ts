import type { StandardSchemaV1 } from '@standard-schema/spec';
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

/** Identity at run time; exists so plugin authors get full type inference from their schema. */
export function definePlugin<Settings>(plugin: VideoProviderPluginV1<Settings>): VideoProviderPluginV1<Settings> {
  return plugin;
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
