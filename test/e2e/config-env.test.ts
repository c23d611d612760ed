import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUnreelServer, type UnreelConfigInput } from '@unreel/server';

const sandbox = (plugin = '@unreel/plugin-sandbox') => ({ name: 'a', plugin, settings: { videoCount: 1 } });

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'unreel-config-env-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

async function refusal(config: UnreelConfigInput, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const started = await createUnreelServer({ port: 0, logLevel: 'silent', cwd: folder, env, config }).then(
    async (server) => {
      await server.close();
      return undefined;
    },
    (error: Error) => error.message,
  );
  if (started === undefined) throw new Error('the server started, but it should have refused this config');
  return started;
}

describe('${VAR} in the config', () => {
  it('is expanded in every string, not only in settings and keys: a journal path under ${DATA_DIR}', async () => {
    const server = await createUnreelServer({
      port: 0,
      logLevel: 'silent',
      cwd: folder,
      env: { DATA_DIR: folder, ORIGIN: 'http://app.test' },
      config: {
        journal: { path: '${DATA_DIR}/journal.db' },
        server: { allowedOrigins: ['${ORIGIN}'] },
        accounts: [sandbox()],
      },
    });
    await server.close();
    expect(existsSync(path.join(folder, 'journal.db'))).toBe(true);
    // Before, the path was taken literally: a folder named "${DATA_DIR}" appeared in the working directory.
    expect(readdirSync(folder).filter((name) => name.includes('$'))).toEqual([]);
  });

  it('names the setting whose variable is unset, and creates nothing', async () => {
    const message = await refusal({ journal: { path: '${UNSET_DATA_DIR}/journal.db' }, accounts: [sandbox()] });
    expect(message).toBe('Invalid config given in code: journal.path: environment variable UNSET_DATA_DIR is not set');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('names an account by its name when its variable is unset', async () => {
    const message = await refusal({
      journal: { driver: 'memory' },
      accounts: [{ name: 'a', plugin: '${PLUGIN_PACKAGE}', settings: {} }],
    });
    expect(message).toBe(
      'Invalid config given in code: accounts[0] "a": plugin: environment variable PLUGIN_PACKAGE is not set',
    );
  });
});

describe('the plugin specifier', () => {
  it.each([
    ['a data: URL', 'data:text/javascript,export default {}'],
    ['an http: URL', 'http://127.0.0.1:9/plugin.js'],
    ['a file: URL', 'file:///tmp/plugin.js'],
    ['a node: builtin', 'node:fs'],
  ])('refuses %s: only package names and file paths are loaded', async (_name, plugin) => {
    const message = await refusal({ journal: { driver: 'memory' }, accounts: [sandbox(plugin)] });
    expect(message).toBe(
      'Invalid config given in code: accounts[0] "a": plugin: must be a package name or a file path; URLs (data:, http:, file:, ...) are not loaded',
    );
  });

  it('never echoes the content of a file that is not a module', async () => {
    const file = path.join(folder, 'shadow');
    writeFileSync(file, 'root:*:19000:0:99999:7:::\nsecret-line-do-not-echo\n');
    const message = await refusal({ journal: { driver: 'memory' }, accounts: [sandbox(file)] });
    expect(message).toBe(
      `accounts[0] "a": cannot load plugin ${file}: it is not a JavaScript module Node can load (a syntax error)`,
    );
    for (const fragment of ['root', '*', '19000', 'secret-line'])
      expect(message.split(file).join('')).not.toContain(fragment);
  });

  it('still loads a plugin by file path, relative to the config', async () => {
    const server = await createUnreelServer({
      port: 0,
      logLevel: 'silent',
      cwd: folder,
      env: {},
      config: {
        journal: { driver: 'memory' },
        accounts: [sandbox(path.resolve('plugins/sandbox/dist/index.js'))],
      },
    });
    try {
      const answer = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ accounts { name provider } }' }),
      });
      expect(await answer.json()).toEqual({ data: { accounts: [{ name: 'a', provider: 'sandbox' }] } });
    } finally {
      await server.close();
    }
  });
});

describe('whenBlocked settings', () => {
  it('names an account whenBlocked that is neither FAIL nor WAIT, and a horizon that is not a duration', async () => {
    const account = await refusal({
      journal: { driver: 'memory' },
      accounts: [{ ...sandbox(), whenBlocked: 'RETRY' as 'WAIT' }],
    });
    expect(account).toMatch(/^Invalid config given in code: accounts\[0\] "a": whenBlocked: /);
    expect(account).toContain('"FAIL"');
    const horizon = await refusal({
      journal: { driver: 'memory' },
      engine: { blockedRetryHorizon: 'soon' },
      accounts: [sandbox()],
    });
    expect(horizon).toBe(
      'Invalid config given in code: engine.blockedRetryHorizon: expected a duration such as "15m", "30s" or milliseconds, got "soon"',
    );
  });
});
