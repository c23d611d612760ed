import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer } from '../support/child-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { startTcpRelay } from '../support/tcp-relay.js';

const REDIS = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const PASSWORD = 'redis-Secret-Passw0rd-for-e2e';
const POLL = { timeout: 20_000, interval: 50 };

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

function writeConfig(config: Record<string, unknown>): { dir: string; configFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-cluster-config-'));
  const configFile = path.join(dir, 'unreel.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      accounts: [{ name: 'sb', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 10 } }],
      ...config,
    }),
  );
  return { dir, configFile };
}

describe('the cluster setting', () => {
  it('refuses cluster without the postgres journal with one line naming cluster', async () => {
    const { dir, configFile } = writeConfig({
      cluster: { redis: { url: `redis://${REDIS.host}` } },
    });
    const server = startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir);
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cluster: needs journal\.driver "postgres"/);
  });

  it('refuses a bad cluster.redis.url and a bad cluster.leaseMs, naming each', async () => {
    const badUrl = writeConfig({
      journal: { driver: 'postgres', url: database.url },
      cluster: { redis: { url: `http://:${PASSWORD}@${REDIS.host}` } },
    });
    const first = startChildServer({ PORT: '0', UNREEL_CONFIG: badUrl.configFile }, badUrl.dir);
    expect(await first.exited).toBe(1);
    expect(first.stderr().trim().split('\n')).toHaveLength(1);
    expect(first.stderr()).toMatch(/cluster\.redis\.url: must be a Redis URL/);
    expect(first.stderr()).not.toContain(PASSWORD);
    const badLease = writeConfig({
      journal: { driver: 'postgres', url: database.url },
      cluster: { redis: { url: `redis://${REDIS.host}` }, leaseMs: 10 },
    });
    const second = startChildServer({ PORT: '0', UNREEL_CONFIG: badLease.configFile }, badLease.dir);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/cluster\.leaseMs: /);
  });

  it('stops with one line naming cluster.redis.url, without the password, when Redis cannot be reached', async () => {
    const { dir, configFile } = writeConfig({
      journal: { driver: 'postgres', url: database.url },
      cluster: { redis: { url: '${REDIS_URL}' } },
    });
    const server = startChildServer(
      { PORT: '0', UNREEL_CONFIG: configFile, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1` },
      dir,
    );
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cluster\.redis\.url \(redis:\/\/127\.0\.0\.1:1\) cannot be reached/);
    expect(server.stderr() + server.stdout().join('\n')).not.toContain(PASSWORD);
  });

  it('fails /readyz while Redis cannot be reached, and passes again once it is back', { timeout: 60_000 }, async () => {
    const relay = await startTcpRelay({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    const { dir, configFile } = writeConfig({
      journal: { driver: 'postgres', url: database.url },
      cluster: { redis: { url: `redis://127.0.0.1:${relay.port}`, keyPrefix: `unreel-test:${randomUUID()}:` } },
    });
    const server = startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir);
    try {
      const { url, msg } = await server.listening;
      expect(msg).toContain('(cluster replica, claims work)');
      const readyz = url.replace(/\/graphql$/, '/readyz');
      expect((await fetch(readyz)).status).toBe(200);
      await relay.cut();
      await expect.poll(async () => (await fetch(readyz)).status, POLL).toBe(503);
      expect(await (await fetch(readyz)).json()).toMatchObject({ status: 'redis-unavailable' });
      await relay.restore();
      await expect.poll(async () => (await fetch(readyz)).status, POLL).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await relay.close();
    }
  });

  it(
    'fails /readyz while PostgreSQL cannot be reached, though the replica writes nothing',
    { timeout: 60_000 },
    async () => {
      const at = new URL(database.url);
      const relay = await startTcpRelay({ host: at.hostname, port: Number(at.port || 5432) });
      at.host = `127.0.0.1:${relay.port}`;
      const { dir, configFile } = writeConfig({
        journal: { driver: 'postgres', url: at.toString() },
        cluster: { redis: { url: REDIS.toString(), keyPrefix: `unreel-test:${randomUUID()}:` }, worker: false },
      });
      const server = startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir);
      try {
        const { url } = await server.listening;
        const readyz = url.replace(/\/graphql$/, '/readyz');
        expect((await fetch(readyz)).status).toBe(200);
        await relay.cut();
        await expect.poll(async () => (await fetch(readyz)).status, POLL).toBe(503);
        expect(await (await fetch(readyz)).json()).toMatchObject({ status: 'journal-unavailable' });
        await relay.restore();
        await expect.poll(async () => (await fetch(readyz)).status, POLL).toBe(200);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
        await relay.close();
      }
    },
  );
});
