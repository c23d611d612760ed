/**
 * Ranges the new package's package.json gets for what it needs besides unreel's own packages: the same versions this
 * repository builds and tests with (a test holds them to the root package.json, so they cannot drift apart).
 */
export const templateVersions = {
  zod: '^4.1.0',
  typescript: '~5.9.3',
  vitest: '^4.1.12',
  '@types/node': '^20.19.0',
} as const;
