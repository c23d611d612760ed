/** The values at the plugin's `secretSettings` paths (dotted), as strings, for the suite to look for. */
export function secretValues(settings: unknown, paths: readonly string[] | undefined): string[] {
  const values: string[] = [];
  for (const path of paths ?? []) {
    let value: unknown = settings;
    for (const key of path.split('.')) {
      value = value != null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    // Very short values would match ordinary text; no credential is that short.
    if (typeof value === 'string' && value.length >= 4) values.push(value);
  }
  return values;
}
