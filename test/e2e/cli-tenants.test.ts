import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { runCli, startCli, until } from '../support/run-cli.js';

// The command line against a server with tenants (every request needs an API key): refused keys, items that fail,
// a cancel from another terminal, and Ctrl-C then resume with the same operationId.

const KEY = 'cli-tenant-key-0123456789abcdef';
const WRONG_KEY = 'cli-wrong-key-fedcba9876543210';

let server: ChildServer;
let url: string;

const withKey = { env: { UNREEL_API_KEY: KEY } };
const ids = (account: string, from: number, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `${account}:vid-${String(from + index).padStart(6, '0')}`);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-cli-tenants-'));
  const config = path.join(dir, 'unreel.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      journal: { driver: 'memory' },
      server: { metrics: { enabled: false }, maxIdsPerOperation: 250 },
      tenants: [{ name: 'ops', apiKeys: ['${CLI_TEST_KEY}'], accounts: ['flaky', 'slow'] }],
      accounts: [
        // A third of its videos may not be deleted by this account: FORBIDDEN, not retryable.
        {
          name: 'flaky',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 60, seed: 7, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0.34 },
        },
        // One video per call, eight calls a second: a deletion slow enough to interrupt and cancel half-way.
        {
          name: 'slow',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 400, batchSize: 1, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
          limits: { requestsPerSecond: 8, learnRate: false },
        },
      ],
    }),
  );
  server = startChildServer({ PORT: '0', UNREEL_CONFIG: config, CLI_TEST_KEY: KEY }, dir);
  ({ url } = await server.listening);
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
});

describe('API keys', () => {
  it('refuses a missing or wrong key with exit 3 and a message that never shows the key', async () => {
    for (const env of [{}, { UNREEL_API_KEY: WRONG_KEY }]) {
      const run = await runCli(['videos', 'flaky', '--url', url], { env });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`the server at ${url} refused the API key`);
      expect(run.stderr).toContain('--api-key or UNREEL_API_KEY');
      expect(run.stderr + run.stdout).not.toContain(WRONG_KEY);
    }
    const deleting = await runCli(['delete', ...ids('slow', 1, 2), '--api-key', WRONG_KEY, '--json', '--url', url]);
    expect(deleting.code).toBe(3);
    expect(deleting.json.at(-1)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(deleting.stderr + deleting.stdout).not.toContain(WRONG_KEY);
  });

  it('takes the key from --api-key or UNREEL_API_KEY', async () => {
    const flag = await runCli(['videos', 'flaky', '--first', '2', '--api-key', KEY, '--json', '--url', url]);
    expect(flag.code).toBe(0);
    expect(flag.json.filter((line) => line.type === 'video')).toHaveLength(2);
    const env = await runCli(['deletions', '--url', url], withKey);
    expect(env.code).toBe(0);
  });
});

describe('items that fail', () => {
  it('exits 1 and shows each failure with its code, in plain lines and in --json', async () => {
    const plain = await runCli(['delete', ...ids('flaky', 1, 20), '--url', url], withKey);
    expect(plain.code).toBe(1);
    const failures = plain.stdout.split('\n').filter((line) => line.includes(' FAILED '));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/^\[\d+\/20\] flaky:vid-\d{6} FAILED FORBIDDEN: .+/);
    expect(plain.stdout).toMatch(
      new RegExp(`PARTIALLY_FAILED: 20 items, ${20 - failures.length} deleted, 0 not found, ${failures.length} failed`),
    );

    const json = await runCli(['delete', ...ids('flaky', 21, 20), '--json', '--url', url], withKey);
    expect(json.code).toBe(1);
    const failed = json.json.filter((line) => line.type === 'item' && line.status === 'FAILED');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.error).toEqual({
      code: 'FORBIDDEN',
      message: expect.any(String),
      retryable: false,
      retryAfter: null,
    });
    expect(json.json.at(-1)).toMatchObject({ type: 'result', status: 'PARTIALLY_FAILED', failed: failed.length });
  });
});

describe('too many ids', () => {
  it("refuses more than the server's maxIdsPerOperation with exit 2, saying the limit and to split the list", async () => {
    const run = await runCli(['delete', '--url', url], { ...withKey, input: ids('slow', 1, 251).join('\n') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Too many ids: 251 given, at most 250 per operation');
    expect(run.stderr).toContain('split the list');
  });
});

describe('a long deletion', () => {
  it('is cancelled from another command half-way: the watcher ends CANCELLED and exits 1', async () => {
    const operationId = 'cli-cancel-half-way';
    const deleting = startCli(
      ['delete', ...ids('slow', 1, 200), '--operation-id', operationId, '--json', '--url', url],
      withKey,
    );
    await until(() => deleting.json().filter((line) => line.type === 'item').length >= 3, 'three items deleted');
    const cancel = await runCli(['cancel', operationId, '--url', url], withKey);
    expect(cancel.code).toBe(0);
    expect(await deleting.exited).toBe(1);
    const lines = deleting.json();
    const items = lines.filter((line) => line.type === 'item');
    expect(items).toHaveLength(200);
    expect(items.filter((item) => item.status === 'CANCELLED').length).toBeGreaterThan(100);
    expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'CANCELLED' });
  });

  it('after Ctrl-C, watch --after resumes where it stopped, and delete --operation-id replays: every item once', async () => {
    const operationId = 'cli-interrupted';
    const batch = ids('slow', 201, 40);
    const first = startCli(['delete', ...batch, '--operation-id', operationId, '--json', '--url', url], withKey);
    await until(() => first.json().filter((line) => line.type === 'item').length >= 3, 'three items deleted');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    const seen = first.json().filter((line) => line.type === 'item');
    const interrupted = first.json().at(-1);
    expect(interrupted).toEqual({ type: 'interrupted', operationId, after: seen.length });
    expect(first.stderr()).toContain(`resume with: unreel watch ${operationId} --after ${seen.length}`);
    expect(first.stderr()).toContain(`goes on on the server`);

    const resumed = await runCli(
      ['watch', operationId, '--after', String(seen.length), '--json', '--url', url],
      withKey,
    );
    expect(resumed.code).toBe(0);
    const rest = resumed.json.filter((line) => line.type === 'item');
    const all = [...seen, ...rest];
    expect(all.map((item) => item.sequence)).toEqual(batch.map((_, index) => index + 1));
    expect(all.map((item) => item.videoId).sort()).toEqual([...batch].sort());

    const again = await runCli(['delete', ...batch, '--operation-id', operationId, '--json', '--url', url], withKey);
    expect(again.code).toBe(0);
    const replayed = again.json.filter((line) => line.type === 'item');
    expect(replayed.map((item) => item.videoId).sort()).toEqual([...batch].sort());
    expect(again.json.at(-1)).toMatchObject({ type: 'result', operationId, status: 'SUCCEEDED', deleted: 40 });

    // And undone, one video of it, with the same key.
    const restore = await runCli(['restore', batch[0] as string, '--json', '--url', url], withKey);
    expect(restore.code).toBe(0);
    expect(restore.json).toEqual([
      { type: 'restore', videoId: batch[0], restored: true, videoStatus: 'READY', error: null },
    ]);
  });
});
