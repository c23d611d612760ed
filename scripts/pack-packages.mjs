#!/usr/bin/env node
// Packs every public package of the workspace (packages/*, plugins/*) into one folder, as `pnpm publish` would ship
// them: each is built by its own `prepack`, and pnpm turns `workspace:*` into the version it points at. Writes
// `packages.json` there ({ "<name>": "<tarball file>" }) so an install can take every sibling from its tarball.
//
//   node scripts/pack-packages.mjs [destination]      (default: .packs/)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const destination = path.resolve(process.argv[2] ?? path.join(root, '.packs'));

/** The folders of the packages a third party installs: everything under packages/ and plugins/ not marked private. */
function publicPackageDirs() {
  return ['packages', 'plugins']
    .flatMap((group) =>
      readdirSync(path.join(root, group), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => path.join(root, group, entry.name)),
    )
    .filter((dir) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).private !== true;
      } catch {
        return false;
      }
    });
}

rmSync(destination, { recursive: true, force: true });
mkdirSync(destination, { recursive: true });
const manifest = {};
for (const dir of publicPackageDirs()) {
  const { name, version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  // pnpm, not npm: only pnpm rewrites workspace:* ranges, and it runs the package's prepack (its build) first.
  execFileSync('pnpm', ['pack', '--pack-destination', destination], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const file = `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
  readFileSync(path.join(destination, file)); // fails loudly if pnpm named it otherwise
  manifest[name] = file;
  console.log(`${name}@${version} -> ${path.relative(process.cwd(), path.join(destination, file))}`);
}
writeFileSync(path.join(destination, 'packages.json'), `${JSON.stringify(manifest, null, 2)}\n`);
