import { access, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Whether `directory` lies inside a checkout of the unreel repository: a pnpm workspace whose packages/provider-spec is
 * @unreel/provider-spec. There the new package depends on `workspace:*`, so it builds against the code beside it.
 */
export async function findUnreelWorkspace(directory: string): Promise<string | undefined> {
  let current = path.resolve(directory);
  for (;;) {
    if (await isUnreelWorkspace(current)) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

async function isUnreelWorkspace(root: string): Promise<boolean> {
  try {
    await access(path.join(root, 'pnpm-workspace.yaml'));
    const manifest = JSON.parse(await readFile(path.join(root, 'packages/provider-spec/package.json'), 'utf8')) as {
      name?: unknown;
    };
    return manifest.name === '@unreel/provider-spec';
  } catch {
    return false;
  }
}

/** `^<version>` of this package: unreel's packages are released together, under one version. */
export async function registryRange(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `^${manifest.version}`;
}
