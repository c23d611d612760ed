import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlugin, pluginNames } from '../src/index.js';
import { templateVersions } from '../src/template-versions.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const cli = path.join(repo, 'packages/create-plugin/dist/bin/create-unreel-plugin.js');
const folders: string[] = [];

function tempFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'create-plugin-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('pluginNames', () => {
  it('derives every spelling from a kebab-case id', () => {
    expect(pluginNames({ id: 'acme-video' })).toEqual({
      id: 'acme-video',
      packageName: 'unreel-plugin-acme-video',
      displayName: 'Acme Video',
      pascal: 'AcmeVideo',
      camel: 'acmeVideo',
    });
    expect(pluginNames({ id: '3q', packageName: '@acme/unreel-3q' }).pascal).toBe('P3q');
  });

  it('refuses an id, a package name or a display name the templates cannot carry, naming which', () => {
    expect(() => pluginNames({ id: 'Acme_Video' })).toThrow(/^id: "Acme_Video" is not a kebab-case provider id/);
    expect(() => pluginNames({ id: 'acme', packageName: 'Acme Plugin' })).toThrow(/^name: "Acme Plugin"/);
    expect(() => pluginNames({ id: 'acme', displayName: 'Acme `rm -rf`' })).toThrow(/^display name:/);
  });
});

describe('createPlugin', () => {
  it('refuses a folder that is not empty and writes nothing into it', async () => {
    const folder = tempFolder();
    writeFileSync(path.join(folder, 'notes.txt'), 'mine');
    await expect(createPlugin({ directory: folder, id: 'acme', unreelRange: '^0.1.0' })).rejects.toThrow(
      /^directory: .* is not empty/,
    );
    expect(readdirSync(folder)).toEqual(['notes.txt']);
  });

  it('names the package and provider from the folder, and depends on unreel by the range it is given', async () => {
    const folder = path.join(tempFolder(), 'unreel-plugin-acme');
    const created = await createPlugin({ directory: folder, unreelRange: '^0.1.0' });
    expect(created.names.id).toBe('acme');
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
      name: string;
      main: string;
      exports: Record<string, unknown>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe('unreel-plugin-acme');
    expect(manifest.main).toBe('./dist/src/index.js');
    expect(Object.keys(manifest.exports)).toEqual(['.', './simulator']);
    expect(manifest.dependencies).toEqual({
      '@unreel/provider-kit': '^0.1.0',
      '@unreel/provider-spec': '^0.1.0',
      zod: templateVersions.zod,
    });
    expect(manifest.devDependencies['@unreel/provider-testkit']).toBe('^0.1.0');
    expect(readFileSync(path.join(folder, 'src/index.ts'), 'utf8')).toContain("id: 'acme'");
  });

  it('uses the versions this repository builds and tests with', () => {
    const root = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const elytron = JSON.parse(readFileSync(path.join(repo, 'plugins/elytron/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(templateVersions.vitest).toBe(root.devDependencies['vitest']);
    expect(templateVersions['@types/node']).toBe(root.devDependencies['@types/node']);
    expect(templateVersions.typescript).toBe(`~${root.devDependencies['typescript']}`);
    expect(templateVersions.zod).toBe(elytron.dependencies['zod']);
  });
});

describe('the create-unreel-plugin command', () => {
  it('prints its usage with --help', async () => {
    const result = await runCli(['--help'], tempFolder());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: create-unreel-plugin <directory>/);
  });

  it('outside the unreel repository, depends on the registry version of unreel and is not a composite project', async () => {
    const cwd = tempFolder();
    const result = await runCli(['acme'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('npm install');
    const manifest = JSON.parse(readFileSync(path.join(cwd, 'acme/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const own = JSON.parse(readFileSync(path.join(repo, 'packages/create-plugin/package.json'), 'utf8')) as {
      version: string;
    };
    expect(manifest.dependencies['@unreel/provider-spec']).toBe(`^${own.version}`);
    expect(readFileSync(path.join(cwd, 'acme/tsconfig.json'), 'utf8')).not.toContain('composite');
  });

  it('exits 2 with one line naming what is wrong', async () => {
    const cwd = tempFolder();
    const badId = await runCli(['acme', '--id', 'Acme'], cwd);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/^id: "Acme" is not a kebab-case provider id/);
    const notInRepo = await runCli(['acme', '--workspace'], cwd);
    expect(notInRepo.code).toBe(2);
    expect(notInRepo.stderr).toMatch(/^--workspace: acme is not inside an unreel checkout/);
    const noFolder = await runCli([], cwd);
    expect(noFolder.code).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
