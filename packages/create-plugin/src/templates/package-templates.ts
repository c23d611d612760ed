import type { PluginNames } from '../plugin-names.js';
import { templateVersions } from '../template-versions.js';

/** `workspace:*` inside the unreel repository (pnpm links the packages), a semver range outside it. */
export type UnreelDependencyRange = string;

export function packageJsonTemplate({ packageName, displayName }: PluginNames, unreel: UnreelDependencyRange): string {
  const entry = (folder: string) => ({ types: `./dist/${folder}/index.d.ts`, default: `./dist/${folder}/index.js` });
  const manifest = {
    name: packageName,
    version: '0.1.0',
    description: `unreel provider plugin for ${displayName}, with an HTTP simulator of its API.`,
    keywords: ['unreel', 'unreel-plugin'],
    type: 'module',
    // `.` is the plugin a host loads by name; `./simulator` is what tests and `unreel-simulate` start.
    exports: { '.': entry('src'), './simulator': entry('simulator') },
    // For a host that loads the plugin by path (the package folder): Node reads `main` there, not `exports`.
    main: './dist/src/index.js',
    types: './dist/src/index.d.ts',
    files: ['dist', 'src', 'simulator', '!dist/.tsbuildinfo'],
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      typecheck: 'tsc -p test/tsconfig.json',
      test: 'tsc -p tsconfig.json && vitest run',
      simulate: 'unreel-simulate ./dist/simulator/index.js',
      prepack: 'tsc -p tsconfig.json',
    },
    // What the plugin and its simulator import at run time.
    dependencies: {
      '@unreel/provider-kit': unreel,
      '@unreel/provider-spec': unreel,
      zod: templateVersions.zod,
    },
    // Test tooling: the conformance suite imports vitest.
    devDependencies: {
      '@types/node': templateVersions['@types/node'],
      '@unreel/provider-testkit': unreel,
      typescript: templateVersions.typescript,
      vitest: templateVersions.vitest,
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `composite` inside the unreel workspace, so the root tsconfig.json can reference it and `pnpm build` builds it. */
export function tsconfigTemplate(composite: boolean): string {
  const config = {
    compilerOptions: {
      ...(composite ? { composite: true, tsBuildInfoFile: 'dist/.tsbuildinfo' } : {}),
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      isolatedModules: true,
      skipLibCheck: true,
      declaration: true,
      declarationMap: true,
      sourceMap: true,
      types: ['node'],
      rootDir: '.',
      outDir: 'dist',
    },
    include: ['src', 'simulator'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function gitignoreTemplate(): string {
  return 'node_modules/\ndist/\n';
}
