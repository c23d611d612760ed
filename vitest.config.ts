import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name, which resolves to their compiled dist/ (built by
// `pnpm build` first): decorator metadata only exists in tsc output, not in esbuild transforms.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    // Compiled workspace packages load through Node itself, as in production: inlined through Vite they would get
    // their own copy of graphql, and type-graphql would no longer recognise their scalars.
    server: { deps: { external: [/\/(packages|plugins)\/[^/]+\/dist\//] } },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
