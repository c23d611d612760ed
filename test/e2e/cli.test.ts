import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { runCli } from '../support/run-cli.js';

// `unreel`'s client commands as a script runs them: real processes, stdout piped, against a real server process on the
// embedded default (one seeded sandbox account, no tenants).

let server: ChildServer;
let url: string;
let dir: string;
/** READY videos of the seeded library, in listing order: each test deletes its own. */
let ready: string[];

const take = (count: number): string[] => ready.splice(0, count);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'unreel-cli-'));
  server = startChildServer({ PORT: '0', UNREEL_CONFIG: '' }, dir);
  ({ url } = await server.listening);
  // The embedded default's library is seeded (the sandbox's default settings): the same one built here says which
  // videos it will delete, rather than refuse as processing or forbidden.
  const library = new SandboxLibrary(sandboxSettingsSchema.parse({}));
  ready = [...library.videos.values()].filter((video) => video.state === 'READY').map((video) => `sandbox:${video.id}`);
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
});

describe('unreel videos', () => {
  it('lists a page as plain lines, and says on stderr how to get the next one', async () => {
    const run = await runCli(['videos', 'sandbox', '--first', '3', '--url', url]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^sandbox:vid-\d{6} (READY|PROCESSING) .+/);
    expect(run.stderr).toMatch(/^more: unreel videos sandbox --after \S+\n$/);
  });

  it('with --json --all, prints every video once and a last page without a next one', async () => {
    const run = await runCli(['videos', 'sandbox', '--all', '--first', '150', '--json', '--url', url]);
    expect(run.code).toBe(0);
    const videos = run.json.filter((line) => line.type === 'video');
    expect(videos.length).toBeGreaterThan(400);
    expect(new Set(videos.map((video) => video.id)).size).toBe(videos.length);
    expect(Object.keys(videos[0] ?? {}).sort()).toEqual([
      'account',
      'id',
      'nativeId',
      'provider',
      'status',
      'title',
      'type',
    ]);
    expect(run.json.at(-1)).toEqual({ type: 'page', hasNextPage: false, endCursor: expect.anything() });
  });

  it('names an unknown account and exits 2', async () => {
    const run = await runCli(['videos', 'nosuch', '--url', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"nosuch"');
  });
});

describe('unreel delete', () => {
  it('deletes ids given as arguments: the operation first, a line per video, the outcome, exit 0', async () => {
    const ids = take(3);
    const run = await runCli(['delete', ...ids, '--url', url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^operation [0-9a-f-]{36}$/);
    expect(
      lines
        .slice(1, 4)
        .map((line) => line.replace(/^\[\d\/3\] /, ''))
        .sort(),
    ).toEqual(ids.map((id) => `${id} DELETED`).sort());
    expect(lines[4]).toBe('SUCCEEDED: 3 items, 3 deleted, 0 not found, 0 failed, 0 cancelled, 0 restored, 0 pending');
  });

  it('reads stdin one id per line, skipping blanks and comments, and with --json prints one object per line', async () => {
    const ids = take(3);
    const input = `# to clean up\n${ids[0]}\n\n  ${ids[1]}  # the second\n${ids[2]}\n${ids[0]}\n`;
    const run = await runCli(['delete', '--json', '--operation-id', 'cli-stdin-json', '--url', url], { input });
    expect(run.code).toBe(0);
    const [first, ...rest] = run.json;
    expect(first).toEqual({ type: 'operation', operationId: 'cli-stdin-json' });
    const items = rest.filter((line) => line.type === 'item');
    expect(items.map((item) => item.videoId).sort()).toEqual([...ids].sort());
    expect(items.map((item) => item.sequence)).toEqual([1, 2, 3]);
    expect(items[0]).toEqual({
      type: 'item',
      operationId: 'cli-stdin-json',
      sequence: 1,
      completed: 1,
      total: 3,
      discovery: null,
      videoId: expect.any(String),
      status: 'DELETED',
      attempts: 1,
      error: null,
    });
    expect(run.json.at(-1)).toEqual({
      type: 'result',
      operationId: 'cli-stdin-json',
      status: 'SUCCEEDED',
      total: 3,
      deleted: 3,
      notFound: 0,
      failed: 0,
      restored: 0,
      cancelled: 0,
      pending: 0,
      discovery: null,
      createdAt: expect.any(String),
      finishedAt: expect.any(String),
    });
  });

  it('reads --file', async () => {
    const ids = take(2);
    const file = path.join(dir, 'ids.txt');
    writeFileSync(file, `${ids.join('\r\n')}\r\n`);
    const run = await runCli(['delete', '--file', file, '--url', url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${ids[0]} DELETED`);
    expect(run.stdout).toContain(`${ids[1]} DELETED`);
  });

  it('refuses a bad id before sending anything, naming it and where it is, exit 2', async () => {
    const args = await runCli(['delete', 'sandbox:vid-000001', 'not-a-video-id', '--url', url]);
    expect(args.code).toBe(2);
    expect(args.stdout).toBe('');
    expect(args.stderr).toContain('argument 2: Invalid video id "not-a-video-id"');

    const file = path.join(dir, 'bad-ids.txt');
    writeFileSync(file, '# header\nsandbox:vid-000001\nSandbox:vid-2\n');
    const fromFile = await runCli(['delete', '--file', file, '--url', url]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`${file} line 3: Invalid video id "Sandbox:vid-2"`);

    const unknownAccount = await runCli(['delete', 'elsewhere:vid-1', '--json', '--url', url]);
    expect(unknownAccount.code).toBe(2);
    expect(unknownAccount.stderr).toContain('Unknown account "elsewhere"');
    expect(unknownAccount.json.at(-1)).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });

    const none = await runCli(['delete', '--url', url], { input: '# nothing\n\n' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no video ids in standard input');
  });

  it('exits 3 with a clear message when the server cannot be reached', async () => {
    const run = await runCli(['delete', 'sandbox:vid-000001', '--url', 'http://127.0.0.1:9/graphql', '--retries', '1']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('could not reach the server at http://127.0.0.1:9/graphql');
  });

  it('exits 2 on a usage error and shows help for every command', async () => {
    const bad = await runCli(['delete', '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--no-such-flag'");
    for (const command of ['delete', 'watch', 'cancel', 'restore', 'deletions', 'videos']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: unreel ${command} `));
      expect(help.stdout).toContain('--url <url>');
    }
  });
});

describe('unreel watch, cancel, restore, deletions', () => {
  let operationId: string;
  let ids: string[];

  beforeAll(async () => {
    ids = take(4);
    operationId = 'cli-watch-me';
    const run = await runCli(['delete', ...ids, '--operation-id', operationId, '--url', url]);
    expect(run.code).toBe(0);
  });

  it('watch replays a finished operation: every item once, then its outcome', async () => {
    const run = await runCli(['watch', operationId, '--json', '--url', url]);
    expect(run.code).toBe(0);
    expect(run.json[0]).toEqual({ type: 'operation', operationId });
    const items = run.json.filter((line) => line.type === 'item');
    expect(items.map((item) => item.videoId).sort()).toEqual([...ids].sort());
    expect(run.json.at(-1)).toMatchObject({ type: 'result', status: 'SUCCEEDED', deleted: 4 });

    const after = await runCli(['watch', operationId, '--after', '3', '--url', url]);
    expect(after.code).toBe(0);
    const lines = after.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\[4\/4\] sandbox:vid-\d+ DELETED$/);
  });

  it('watch names an unknown operation and exits 2', async () => {
    const run = await runCli(['watch', 'no-such-operation', '--url', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no deletion "no-such-operation"');
  });

  it('cancel returns a finished operation unchanged (exit 0), and names an unknown one (exit 2)', async () => {
    const run = await runCli(['cancel', operationId, '--json', '--url', url]);
    expect(run.code).toBe(0);
    expect(run.json).toEqual([expect.objectContaining({ type: 'result', operationId, status: 'SUCCEEDED' })]);
    const plain = await runCli(['cancel', operationId, '--url', url]);
    expect(plain.stdout).toBe(
      'SUCCEEDED: 4 items, 4 deleted, 0 not found, 0 failed, 0 cancelled, 0 restored, 0 pending\n',
    );

    const unknown = await runCli(['cancel', 'no-such-operation', '--url', url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown operation "no-such-operation"');
  });

  it('restore brings deleted videos back (exit 0) and reports one that is not deleted (exit 1)', async () => {
    const restored = await runCli(['restore', ids[0] as string, '--json', '--url', url]);
    expect(restored.code).toBe(0);
    expect(restored.json).toEqual([
      { type: 'restore', videoId: ids[0], restored: true, videoStatus: 'READY', error: null },
    ]);
    const again = await runCli(['restore', ids[0] as string, ids[1] as string, '--url', url]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(
      `${ids[0]} NOT RESTORED NOT_DELETED: Video ${ids[0]?.split(':')[1]} is not deleted\n${ids[1]} RESTORED\n`,
    );
  });

  it('deletions lists operations newest first, filtered by status, with a page line in --json', async () => {
    const run = await runCli(['deletions', '--first', '2', '--json', '--status', 'SUCCEEDED', '--url', url]);
    expect(run.code).toBe(0);
    const deletions = run.json.filter((line) => line.type === 'deletion');
    expect(deletions).toHaveLength(2);
    expect(deletions[0]).toMatchObject({ operationId, status: 'SUCCEEDED', total: 4 });
    expect(run.json.at(-1)).toEqual({ type: 'page', hasNextPage: true, endCursor: expect.any(String) });

    const plain = await runCli(['deletions', '--first', '1', '--url', url]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(
      new RegExp(
        `^${operationId}  \\S+  SUCCEEDED: 4 items, 2 deleted, 0 not found, 0 failed, 0 cancelled, 2 restored, 0 pending\n$`,
      ),
    );
    expect(plain.stderr).toMatch(/^more: unreel deletions --after \S+\n$/);

    const bad = await runCli(['deletions', '--status', 'DONE', '--url', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'DONE' is invalid");
  });
});
