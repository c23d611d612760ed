import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { outsideEnv, run, transcript, type VitestCounts } from './run-command.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(repo, 'packages/create-plugin/dist/bin/create-unreel-plugin.js');
const tsc = path.join(repo, 'node_modules/.bin/tsc');
const vitest = path.join(repo, 'node_modules/.bin/vitest');

/**
 * The scaffold inside the unreel repository: the new plugin depends on `workspace:*` and builds against the packages
 * beside it. It is created under test/ (a dot folder, which the repository's own globs skip), so it resolves the
 * workspace packages through test/node_modules without an install that would change the lockfile.
 */
describe('create-unreel-plugin inside the workspace', () => {
  const parent = mkdtempSync(path.join(repo, 'test', '.scaffold-'));
  const plugin = path.join(parent, 'acme-video');

  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('creates a plugin that builds and passes the conformance suite against the workspace packages', async () => {
    const created = await run(process.execPath, [cli, plugin], repo);
    expect(created.code, transcript(created)).toBe(0);
    expect(created.stdout).toContain('Inside the unreel workspace');
    const manifest = JSON.parse(readFileSync(path.join(plugin, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@unreel/provider-kit']).toBe('workspace:*');
    expect(manifest.devDependencies['@unreel/provider-testkit']).toBe('workspace:*');
    const resolved = realpathSync(createRequire(path.join(plugin, 'package.json')).resolve('@unreel/provider-spec'));
    expect(resolved.startsWith(path.join(repo, 'packages/provider-spec'))).toBe(true);

    const built = await run(tsc, ['-p', 'tsconfig.json'], plugin);
    expect(built.code, transcript(built)).toBe(0);
    const typecheck = await run(tsc, ['-p', 'test/tsconfig.json'], plugin);
    expect(typecheck.code, transcript(typecheck)).toBe(0);
    const report = path.join(parent, 'vitest-report.json');
    const suite = await run(vitest, ['run', '--reporter=json', `--outputFile=${report}`], plugin, outsideEnv());
    expect(suite.code, transcript(suite)).toBe(0);
    const counts = JSON.parse(readFileSync(report, 'utf8')) as VitestCounts;
    expect(counts.numFailedTests).toBe(0);
    expect(counts.numPassedTests).toBeGreaterThanOrEqual(18);
  }, 300_000);
});
