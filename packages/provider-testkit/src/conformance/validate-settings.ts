import { describeSchemaIssues, type VideoProviderPluginV1 } from '@unreel/provider-spec';

/** Runs the plugin's own schema as the host does, so the suite tests the settings a host would pass to `create`. */
export async function validateSettings<Settings>(
  plugin: VideoProviderPluginV1<Settings>,
  input: unknown,
): Promise<Settings> {
  const result = await plugin.settingsSchema['~standard'].validate(input);
  if (result.issues) {
    const details = describeSchemaIssues(result.issues, { root: 'settings' });
    throw new Error(`${plugin.id}: the suite's settings are invalid: ${details}`);
  }
  return result.value;
}
