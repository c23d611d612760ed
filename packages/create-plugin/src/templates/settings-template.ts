import type { PluginNames } from '../plugin-names.js';

export function settingsTemplate({ camel, pascal, displayName }: PluginNames): string {
  return `import { z } from 'zod';

/**
 * What an account of this plugin is configured with, validated when the host starts: a bad value stops the start with
 * one line naming the field. Strict, so a misspelt key is refused instead of silently ignored.
 */
export const ${camel}SettingsSchema = z
  .object({
    /** Sent as \`Authorization: Bearer <apiKey>\`. Secret: listed in the plugin's \`secretSettings\`. */
    apiKey: z.string().min(1, 'apiKey is required'),
    /** Where ${displayName}'s API is served (a simulator's \`url\` in tests). Give it a default once it has a fixed one. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL' }),
    /** The provider's documented per-account limit; an account's \`limits.requestsPerSecond\` in the host config wins. */
    requestsPerSecond: z.number().positive().default(10),
    /** Per request, up to the last byte of the answer; the host bounds the whole call with its own timeout too. */
    timeoutMs: z.number().int().positive().max(120_000).default(10_000),
  })
  .strict();

/** What a config file holds (defaults optional). */
export type ${pascal}SettingsInput = z.input<typeof ${camel}SettingsSchema>;
/** What \`create\` receives: validated, defaults filled in. */
export type ${pascal}Settings = z.output<typeof ${camel}SettingsSchema>;
`;
}
