import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pluginNames, type PluginNames } from './plugin-names.js';
import { indexTemplate } from './templates/index-template.js';
import { gitignoreTemplate, packageJsonTemplate, tsconfigTemplate } from './templates/package-templates.js';
import { providerTemplate } from './templates/provider-template.js';
import { readmeTemplate } from './templates/readme-template.js';
import { settingsTemplate } from './templates/settings-template.js';
import { simulatorTemplate } from './templates/simulator-template.js';
import { conformanceTestTemplate, testTsconfigTemplate, vitestConfigTemplate } from './templates/test-templates.js';

export interface CreatePluginOptions {
  /** Folder to create the package in: absent or empty. */
  directory: string;
  /** Provider id; default: the folder's name without an `unreel-plugin-` prefix. */
  id?: string;
  /** npm package name; default `unreel-plugin-<id>`. */
  packageName?: string;
  displayName?: string;
  /**
   * How the package depends on unreel's packages: `workspace:*` (inside the unreel repository, where pnpm links
   * them) or a semver range (`^<this package's version>`, from the registry).
   */
  unreelRange: string;
}

export interface CreatedPlugin {
  names: PluginNames;
  directory: string;
  /** Relative to `directory`, in the order written. */
  files: string[];
}

export class CreatePluginError extends Error {
  override name = 'CreatePluginError';
}

/** Writes a new plugin package that builds and passes the conformance suite as generated. */
export async function createPlugin(options: CreatePluginOptions): Promise<CreatedPlugin> {
  const directory = path.resolve(options.directory);
  const id = options.id ?? path.basename(directory).replace(/^unreel-plugin-/, '');
  const names = pluginNames({
    id,
    ...(options.packageName === undefined ? {} : { packageName: options.packageName }),
    ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
  });
  const existing = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new CreatePluginError(`directory: cannot read ${directory}: ${error.code ?? error.message}`);
  });
  if (existing.length > 0) {
    throw new CreatePluginError(`directory: ${directory} is not empty; give a new or empty folder`);
  }
  const files: Record<string, string> = {
    'package.json': packageJsonTemplate(names, options.unreelRange),
    'tsconfig.json': tsconfigTemplate(options.unreelRange.startsWith('workspace:')),
    'vitest.config.ts': vitestConfigTemplate(),
    '.gitignore': gitignoreTemplate(),
    'README.md': readmeTemplate(names),
    'src/index.ts': indexTemplate(names),
    [`src/${names.id}-settings.ts`]: settingsTemplate(names),
    [`src/${names.id}-provider.ts`]: providerTemplate(names),
    'simulator/index.ts': `export { startSimulator, type ${names.pascal}Simulator, type ${names.pascal}SimulatorOptions } from './${names.id}-simulator.js';\n`,
    [`simulator/${names.id}-simulator.ts`]: simulatorTemplate(names),
    'test/tsconfig.json': testTsconfigTemplate(),
    [`test/${names.id}-conformance.test.ts`]: conformanceTestTemplate(names),
  };
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(directory, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content, { flag: 'wx' });
  }
  return { names, directory, files: Object.keys(files) };
}
