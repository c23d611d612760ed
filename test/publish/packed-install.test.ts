import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer } from '../support/child-server.js';
import {
  outsideEnv,
  run,
  startWithFirstLine,
  transcript,
  type CommandResult,
  type VitestCounts,
} from './run-command.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What a third party does with the published packages, with the tarballs `scripts/pack-packages.mjs` makes standing in
 * for the registry: install them in a folder outside the workspace with npm (every @unreel package from its tarball,
 * everything else from the registry), create a plugin with the scaffold, type-check it, run the conformance suite on
 * it, and serve it from @unreel/server, loaded by path.
 *
 * Install scripts are skipped: the only one that matters, better-sqlite3's, compiles SQLite when its prebuilt binary
 * cannot be downloaded (3 to 5 minutes on a machine without access to them), so the server here journals in memory.
 */
describe('the packed packages, installed outside the workspace', () => {
  let packs: string;
  let consumer: string;
  let install: CommandResult;
  let tarballs: Record<string, string>;
  const pluginDir = () => path.join(consumer, 'acme-video');
  const bin = (name: string) => path.join(consumer, 'node_modules', '.bin', name);

  beforeAll(async () => {
    packs = mkdtempSync(path.join(tmpdir(), 'unreel-packs-'));
    const packed = await run(
      process.execPath,
      [path.join(repo, 'scripts/pack-packages.mjs'), packs],
      repo,
      process.env,
    );
    expect(packed.code, transcript(packed)).toBe(0);
    tarballs = JSON.parse(readFileSync(path.join(packs, 'packages.json'), 'utf8')) as Record<string, string>;
    const fromTarball = (name: string) => `file:${path.join(packs, tarballs[name] as string)}`;

    consumer = mkdtempSync(path.join(tmpdir(), 'unreel-consumer-'));
    const direct = ['@unreel/server', '@unreel/provider-spec', '@unreel/provider-kit'];
    const dev = ['@unreel/provider-testkit', '@unreel/create-plugin'];
    const manifest = {
      name: 'unreel-consumer',
      private: true,
      type: 'module',
      dependencies: { ...Object.fromEntries(direct.map((name) => [name, fromTarball(name)])), zod: '^4.1.0' },
      devDependencies: {
        ...Object.fromEntries(dev.map((name) => [name, fromTarball(name)])),
        vitest: '^4.1.12',
        typescript: '~5.9.3',
        '@types/node': '^20.19.0',
      },
      // The siblings are not on the registry: every @unreel package anything asks for comes from its tarball.
      overrides: Object.fromEntries(Object.keys(tarballs).map((name) => [name, fromTarball(name)])),
    };
    writeFileSync(path.join(consumer, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    install = await run(
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'],
      consumer,
    );
    expect(install.code, transcript(install)).toBe(0);
    console.log(`packed in ${Math.round(packed.ms / 1000)} s, npm install in ${Math.round(install.ms / 1000)} s`);

    // The scaffold, from its tarball: the plugin sits in a subfolder, so it resolves the consumer's node_modules.
    const created = await run(bin('create-unreel-plugin'), ['acme-video', '--display-name', 'Acme Video'], consumer);
    expect(created.code, transcript(created)).toBe(0);
    const built = await run(bin('tsc'), ['-p', 'tsconfig.json'], pluginDir());
    expect(built.code, transcript(built)).toBe(0);
  }, 900_000);

  afterAll(() => {
    for (const dir of [packs, consumer]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lies outside the workspace', () => {
    expect(path.relative(repo, consumer).startsWith('..')).toBe(true);
  });

  it('packs every public package with its build, README and LICENSE, and without build info', async () => {
    expect(Object.keys(tarballs)).toEqual(
      expect.arrayContaining([
        '@unreel/provider-spec',
        '@unreel/provider-kit',
        '@unreel/provider-testkit',
        '@unreel/create-plugin',
        '@unreel/core',
        '@unreel/cluster',
        '@unreel/server',
        '@unreel/client',
        '@unreel/plugin-sandbox',
        '@unreel/plugin-elytron',
      ]),
    );
    const license = readFileSync(path.join(repo, 'LICENSE'), 'utf8');
    for (const [name, file] of Object.entries(tarballs)) {
      const listing = await run('tar', ['-tzf', path.join(packs, file)], packs);
      const files = listing.stdout.split('\n').filter(Boolean);
      expect(files, name).toContain('package/README.md');
      expect(files, name).toContain('package/LICENSE');
      expect(files, name).toContain('package/package.json');
      expect(
        files.some((entry) => /^package\/dist\/(src\/)?index\.js$/.test(entry)),
        `${name} ships dist`,
      ).toBe(true);
      expect(
        files.filter((entry) => entry.includes('tsbuildinfo')),
        name,
      ).toEqual([]);
      const shipped = await run('tar', ['-xzOf', path.join(packs, file), 'package/LICENSE'], packs);
      expect(shipped.stdout, `${name} LICENSE`).toBe(license);
    }
  });

  it('installs on Node 20 without an EBADENGINE warning', () => {
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/EBADENGINE|Unsupported engine/);
  });

  it('the scaffold plugin type-checks and passes the conformance suite against the packed kit and testkit', async () => {
    const manifest = JSON.parse(readFileSync(path.join(pluginDir(), 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@unreel/provider-spec']).toBe('^0.1.0');
    const typecheck = await run(bin('tsc'), ['-p', 'test/tsconfig.json'], pluginDir());
    expect(typecheck.code, transcript(typecheck)).toBe(0);
    const report = path.join(consumer, 'vitest-report.json');
    const suite = await run(bin('vitest'), ['run', '--reporter=json', `--outputFile=${report}`], pluginDir());
    expect(suite.code, transcript(suite)).toBe(0);
    const counts = JSON.parse(readFileSync(report, 'utf8')) as VitestCounts;
    expect(counts.numFailedTests).toBe(0);
    expect(counts.numPassedTests).toBeGreaterThanOrEqual(18);
  });

  it('@unreel/server from its tarball loads the plugin by path and deletes a video over HTTP', async () => {
    const children: ChildProcess[] = [];
    try {
      const simulator = startWithFirstLine(
        bin('unreel-simulate'),
        ['./acme-video/dist/simulator/index.js', '--videos', '3'],
        consumer,
      );
      children.push(simulator.child);
      const sim = JSON.parse(await simulator.firstLine) as {
        url: string;
        credentials: { apiKey: string };
        videoIds: string[];
      };
      const config = path.join(consumer, 'unreel.config.json');
      writeFileSync(
        config,
        JSON.stringify({
          journal: { driver: 'memory' },
          accounts: [
            { name: 'acme', plugin: './acme-video', settings: { apiKey: '${ACME_API_KEY}', baseUrl: sim.url } },
          ],
        }),
      );
      const server = startChildServer(
        { PORT: '0', UNREEL_CONFIG: config, ACME_API_KEY: sim.credentials.apiKey },
        consumer,
        [],
        { bin: path.join(consumer, 'node_modules/@unreel/server/dist/bin/unreel.js'), baseEnv: outsideEnv() },
      );
      children.push(server.child);
      const { url } = await server.listening;

      const videoId = sim.videoIds[0] as string;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($input: DeleteVideosInput!) { deleteVideos(input: $input) { status total deleted failed } }`,
          variables: { input: { ids: [`acme:${videoId}`] } },
        }),
      });
      const body = (await response.json()) as { data?: { deleteVideos: unknown }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.deleteVideos).toEqual({ status: 'SUCCEEDED', total: 1, deleted: 1, failed: 0 });
      // At the provider, the video is gone.
      const lookup = await fetch(`${sim.url}/videos/${videoId}`, {
        headers: { authorization: `Bearer ${sim.credentials.apiKey}` },
      });
      expect(lookup.status).toBe(404);
      expect(server.stdout().join('\n')).not.toContain(sim.credentials.apiKey);
      // The command line from the same tarball, as an operator runs it: its own dependencies installed by npm.
      const listed = await run(bin('unreel'), ['deletions', '--url', url, '--json'], consumer);
      expect(listed.code, transcript(listed)).toBe(0);
      expect(JSON.parse(listed.stdout.split('\n')[0] ?? '')).toMatchObject({ type: 'deletion', status: 'SUCCEEDED' });
      // GraphiQL comes prerendered in the tarball (its renderer is no dependency of the server).
      const graphiql = await fetch(url, { headers: { accept: 'text/html' } });
      expect(graphiql.status).toBe(200);
      expect(graphiql.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await graphiql.text()).toContain('unreel GraphiQL');
      // So does the console: its build, under dist/console, with the script its page names.
      const origin = new URL(url).origin;
      const consolePage = await fetch(`${origin}/console`);
      expect(consolePage.status).toBe(200);
      const html = await consolePage.text();
      expect(html).toContain('<title>unreel console</title>');
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${origin}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    } finally {
      for (const child of children) child.kill('SIGTERM');
    }
  });
});
