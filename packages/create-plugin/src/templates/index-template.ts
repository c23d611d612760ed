import type { PluginNames } from '../plugin-names.js';

export function indexTemplate({ id, camel, pascal, displayName }: PluginNames): string {
  return `import { definePlugin } from '@unreel/provider-spec';
import { ${pascal}Provider } from './${id}-provider.js';
import { ${camel}SettingsSchema } from './${id}-settings.js';

/** unreel provider plugin for ${displayName}. The host loads this default export by package name or by path. */
export default definePlugin({
  specificationVersion: 'v1',
  id: '${id}',
  displayName: '${displayName.replaceAll("'", "\\'")}',
  settingsSchema: ${camel}SettingsSchema,
  // Redacted from every log line, error and API answer of the host, and checked by the conformance suite.
  secretSettings: ['apiKey'],
  create: (settings, context) => new ${pascal}Provider(settings, context),
});

export { ${camel}SettingsSchema };
export type { ${pascal}Settings, ${pascal}SettingsInput } from './${id}-settings.js';
`;
}
