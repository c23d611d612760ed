import type { PluginNames } from '../plugin-names.js';

export function conformanceTestTemplate({ id, packageName, pascal }: PluginNames): string {
  return `import { defineProviderConformanceSuite } from '@unreel/provider-testkit';
// By package name (the package's own exports): the tests run against the compiled package, as a host loads it.
import plugin, { type ${pascal}SettingsInput } from '${packageName}';
import { startSimulator } from '${packageName}/simulator';

defineProviderConformanceSuite({
  plugin,
  simulator: () => startSimulator({ videoCount: 20 }),
  settings: (simulator, { wrongCredentials }): ${pascal}SettingsInput => ({
    baseUrl: simulator.url,
    apiKey: wrongCredentials ? '${id}_wrong_key_0000' : simulator.credentials.apiKey,
  }),
  // What the provider's docs say about a video still processing: refused (409 video_processing).
  inProcessing: 'refused',
  // The provider refuses a video this account may not delete (403 forbidden).
  forbidden: true,
  // Its 429 says when to come back (Retry-After).
  throttleSaysWhen: true,
});
`;
}

export function vitestConfigTemplate(): string {
  return `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The suite talks to the simulator over real HTTP; give a busy machine room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
`;
}

export function testTsconfigTemplate(): string {
  return `${JSON.stringify(
    {
      // Type-checks the tests against the built package (\`npm run build\` first), as they import it by name.
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, composite: false, incremental: false, rootDir: '..' },
      include: ['.', '../vitest.config.ts'],
    },
    null,
    2,
  )}\n`;
}
