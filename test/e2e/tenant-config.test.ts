import { describe, expect, it } from 'vitest';
import { createUnreelServer, type UnreelConfigInput } from '@unreel/server';

const KEY = 'a-key-of-twenty-four-chars';
const OTHER_KEY = 'another-key-of-twenty-four';
const METRICS = { metrics: { apiKey: 'metrics-key-0123456789abcdef' } };

function sandbox(name: string) {
  return { name, plugin: '@unreel/plugin-sandbox', settings: { videoCount: 1 } };
}

function start(config: UnreelConfigInput, options: { env?: NodeJS.ProcessEnv; host?: string } = {}) {
  return createUnreelServer({
    port: 0,
    logLevel: 'silent',
    config: { journal: { driver: 'memory' }, ...config },
    ...options,
  });
}

const refused: [string, UnreelConfigInput, NodeJS.ProcessEnv, string][] = [
  [
    'an account no tenant could own',
    { accounts: [sandbox('a')], tenants: [{ name: 'acme', apiKeys: [KEY], accounts: ['a', 'b'] }], server: METRICS },
    {},
    'tenants[0] "acme": accounts[1]: no account is named "b"',
  ],
  [
    'an account given to two tenants',
    {
      accounts: [sandbox('a')],
      tenants: [
        { name: 'acme', apiKeys: [KEY], accounts: ['a'] },
        { name: 'beta', apiKeys: [OTHER_KEY], accounts: ['a'] },
      ],
      server: METRICS,
    },
    {},
    'tenants[1] "beta": accounts[0]: account "a" already belongs to tenant "acme"',
  ],
  [
    'a tenant named twice',
    {
      accounts: [sandbox('a'), sandbox('b')],
      tenants: [
        { name: 'acme', apiKeys: [KEY], accounts: ['a'] },
        { name: 'acme', apiKeys: [OTHER_KEY], accounts: ['b'] },
      ],
      server: METRICS,
    },
    {},
    'tenants[1] "acme": name: "acme" is used by another tenant',
  ],
  [
    'a tenant without keys',
    { accounts: [sandbox('a')], tenants: [{ name: 'acme', apiKeys: [], accounts: ['a'] }], server: METRICS },
    {},
    'tenants[0] "acme": apiKeys: at least one API key is needed',
  ],
  [
    'a short key',
    { accounts: [sandbox('a')], tenants: [{ name: 'acme', apiKeys: ['${SHORT}'], accounts: ['a'] }], server: METRICS },
    { SHORT: 'tiny-key' },
    'tenants[0] "acme": apiKeys[0]: must be at least 16 characters once interpolated',
  ],
  [
    'one key for two tenants',
    {
      accounts: [sandbox('a'), sandbox('b')],
      tenants: [
        { name: 'acme', apiKeys: [KEY], accounts: ['a'] },
        { name: 'beta', apiKeys: ['${SAME}'], accounts: ['b'] },
      ],
      server: METRICS,
    },
    { SAME: KEY },
    'tenants[1] "beta": apiKeys[0]: the same key is already given to tenant "acme"',
  ],
  [
    'a key from an unset variable',
    {
      accounts: [sandbox('a')],
      tenants: [{ name: 'acme', apiKeys: ['${UNSET_ACME_KEY}'], accounts: ['a'] }],
      server: METRICS,
    },
    {},
    'tenants[0] "acme": apiKeys[0]: environment variable UNSET_ACME_KEY is not set',
  ],
  [
    'tenants without a metrics key',
    { accounts: [sandbox('a')], tenants: [{ name: 'acme', apiKeys: [KEY], accounts: ['a'] }] },
    {},
    'server.metrics.apiKey: required when tenants are configured (or set server.metrics.enabled to false)',
  ],
];

describe('tenant configuration', () => {
  it.each(refused)('refuses %s with one line naming the place', async (_name, config, env, message) => {
    const failure = await start(config, { env }).then(
      (server) => server.close().then(() => undefined),
      (error: Error) => error,
    );
    expect(failure?.message).toContain(message);
    // Whatever the problem, the message never quotes a key.
    for (const value of [KEY, OTHER_KEY, ...Object.values(env)]) expect(failure?.message).not.toContain(value);
  });

  it('refuses to listen beyond loopback without tenants, since nothing would be authenticated', async () => {
    await expect(start({ accounts: [sandbox('a')] }, { host: '0.0.0.0' })).rejects.toThrow(
      /server\.host "0\.0\.0\.0" is reachable from other machines, but no "tenants" are configured/,
    );
    const local = await start({ accounts: [sandbox('a')] }, { host: '::1' }).catch(() =>
      start({ accounts: [sandbox('a')] }, { host: 'localhost' }),
    );
    expect(local.authenticated).toBe(false);
    await local.close();
  });

  it('starts with tenants whose keys come from the environment, warning about accounts nobody owns', async () => {
    const lines: string[] = [];
    const server = await createUnreelServer({
      port: 0,
      logLevel: 'info',
      logDestination: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream,
      env: { ACME_KEY: KEY },
      config: {
        journal: { driver: 'memory' },
        accounts: [sandbox('a'), sandbox('lost')],
        tenants: [{ name: 'acme', apiKeys: ['${ACME_KEY}'], accounts: ['a'] }],
        server: { metrics: { enabled: false } },
      },
    });
    try {
      expect(server.authenticated).toBe(true);
      const warning = lines
        .map((line) => JSON.parse(line) as { msg: string; accounts?: string[] })
        .find((entry) => entry.msg.includes('no tenant owns'));
      expect(warning?.accounts).toEqual(['lost']);
      expect((await fetch(server.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
