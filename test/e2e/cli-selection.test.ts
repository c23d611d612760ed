import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxLibrary, sandboxSettingsSchema, type SandboxVideo } from '@unreel/plugin-sandbox';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { runCli } from '../support/run-cli.js';

// `unreel delete` by selection as a script runs it: real processes, stdout piped, against a real server process on the
// embedded default (one seeded sandbox account, 500 videos one minute apart from 2025-01-01T00:00Z). Each test selects
// its own window of creation times, so none sees another's deletions.

let server: ChildServer;
let url: string;
/** The embedded default's library as the server seeds it, oldest first: says what each window holds. */
let library: SandboxVideo[];

const at = (index: number): string => new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString();

/** Videos created in [from, to) by index whose listed status is one of `statuses` (FORBIDDEN lists as READY). */
function expected(from: number, to: number, statuses: readonly string[]): string[] {
  return library
    .slice(from, to)
    .filter((video) => statuses.includes(video.state === 'FORBIDDEN' ? 'READY' : video.state))
    .map((video) => `sandbox:${video.id}`);
}

/** A window of `width` videos, searched down from `below`, holding no forbidden video: every READY one deletes. */
function deletableWindow(below: number, width: number): [number, number] {
  for (let to = below; to - width >= 0; to -= 1) {
    if (library.slice(to - width, to).every((video) => video.state !== 'FORBIDDEN')) return [to - width, to];
  }
  throw new Error(`no window of ${width} videos without a forbidden one below ${below}`);
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-cli-selection-'));
  server = startChildServer({ PORT: '0', UNREEL_CONFIG: '' }, dir);
  ({ url } = await server.listening);
  // The embedded default's sandbox settings (packages/server/src/config/load-config.ts): the same seed, so the same
  // library, a few of its uploads FAILED.
  library = [...new SandboxLibrary(sandboxSettingsSchema.parse({ failedRatio: 0.05 })).videos.values()].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
  );
});

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
});

describe('unreel delete by selection', () => {
  it('--dry-run counts what a status and date filter match, shows a sample, and deletes nothing; the real run deletes exactly that many', async () => {
    const [from, to] = deletableWindow(500, 60);
    const window = ['--created-after', at(from), '--created-before', at(to)];
    const matching = expected(from, to, ['READY']);
    expect(matching.length).toBeGreaterThan(40);

    const dryRun = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--dry-run',
      '--url',
      url,
    ]);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
    const lines = dryRun.stdout.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe(`${matching.length} videos match; dry run, nothing deleted`);
    expect(lines.slice(0, 10).map((line) => line.split(' ')[0])).toEqual(matching.slice(0, 10));

    const json = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--dry-run',
      '--sample',
      '2',
      '--json',
      '--url',
      url,
    ]);
    expect(json.code).toBe(0);
    expect(json.json).toEqual([
      {
        type: 'video',
        id: matching[0],
        account: 'sandbox',
        provider: 'sandbox',
        nativeId: matching[0]?.slice('sandbox:'.length),
        title: expect.any(String),
        status: 'READY',
        createdAt: expect.any(String),
      },
      expect.objectContaining({ type: 'video', id: matching[1] }),
      { type: 'selection', count: matching.length, complete: true },
    ]);

    const run = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--max-items',
      '1000',
      '--operation-id',
      'cli-selection-window',
      '--json',
      '--url',
      url,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.json[0]).toEqual({ type: 'operation', operationId: 'cli-selection-window' });
    const items = run.json.filter((line) => line.type === 'item');
    const deleted = items.filter((item) => item.status === 'DELETED').map((item) => item.videoId);
    expect([...deleted].sort()).toEqual([...matching].sort());
    expect(items.some((item) => item.discovery === 'DISCOVERING')).toBe(true);
    expect(run.json.filter((line) => line.type === 'discovery')).toEqual([
      { type: 'discovery', operationId: 'cli-selection-window', discovery: 'DONE', total: matching.length },
    ]);
    expect(run.json.at(-1)).toEqual({
      type: 'result',
      operationId: 'cli-selection-window',
      status: 'SUCCEEDED',
      total: matching.length,
      deleted: matching.length,
      notFound: 0,
      failed: 0,
      restored: 0,
      cancelled: 0,
      pending: 0,
      discovery: 'DONE',
      createdAt: expect.any(String),
      finishedAt: expect.any(String),
    });

    const after = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--dry-run',
      '--url',
      url,
    ]);
    expect(after.stdout.trim()).toBe('0 videos match; dry run, nothing deleted');

    // The same command with the same --operation-id is the same operation: replayed, not run again.
    const resumed = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--max-items',
      '1000',
      '--operation-id',
      'cli-selection-window',
      '--url',
      url,
    ]);
    expect(resumed.code).toBe(0);
    const resumedLines = resumed.stdout.trim().split('\n');
    expect(resumedLines[0]).toBe('operation cli-selection-window');
    expect(resumedLines.filter((line) => line.endsWith(' DELETED'))).toHaveLength(matching.length);
    expect(resumedLines).toContain(`discovery DONE: ${matching.length} matching videos found, no more to find`);
    expect(resumedLines.at(-1)).toBe(
      `SUCCEEDED: ${matching.length} items, ${matching.length} deleted, 0 not found, 0 failed, 0 cancelled, 0 restored, 0 pending, discovery DONE`,
    );

    // Another selection under that id is refused, naming the conflict.
    const conflict = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--max-items',
      '999',
      '--operation-id',
      'cli-selection-window',
      '--url',
      url,
    ]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/cli-selection-window/);
  });

  it('takes --status repeated or comma-separated, and says plainly when --max-items caps the run', async () => {
    const [from, to] = deletableWindow(380, 60);
    const window = ['--created-after', at(from), '--created-before', at(to)];
    const either = expected(from, to, ['READY', 'PROCESSING']);
    const repeated = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      '--status',
      'PROCESSING',
      ...window,
      '--dry-run',
      '--json',
      '--url',
      url,
    ]);
    expect(repeated.json.at(-1)).toEqual({ type: 'selection', count: either.length, complete: true });
    const commas = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'ready,processing',
      ...window,
      '--dry-run',
      '--json',
      '--url',
      url,
    ]);
    expect(commas.json.at(-1)).toEqual({ type: 'selection', count: either.length, complete: true });

    const capped = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--status',
      'READY',
      ...window,
      '--max-items',
      '3',
      '--url',
      url,
    ]);
    expect(capped.code).toBe(0);
    const lines = capped.stdout.trim().split('\n');
    expect(lines).toContain(
      'discovery CAPPED: --max-items 3 reached, listing stopped; more videos may match (run again to delete them)',
    );
    expect(lines.at(-1)).toBe(
      'SUCCEEDED: 3 items, 3 deleted, 0 not found, 0 failed, 0 cancelled, 0 restored, 0 pending, discovery CAPPED',
    );
    expect(lines.filter((line) => line.endsWith(' DELETED')).map((line) => line.split(' ')[1])).toEqual(
      expected(from, to, ['READY']).slice(0, 3),
    );
  });

  it('refuses bad flags before sending anything, naming the flag, exit 2', async () => {
    const cases: [string[], string][] = [
      [
        ['sandbox:vid-000001', '--account', 'sandbox', '--max-items', '5'],
        'give video ids (arguments, --file) or a selection (--account',
      ],
      [['--status', 'READY', '--max-items', '5'], '--account is required to delete by selection'],
      [['--account', 'sandbox', '--status', 'READY'], '--max-items <n> is required to delete by selection'],
      [['--account', 'sandbox', '--max-items', '0'], '--max-items must be a whole number >= 1, got "0"'],
      [['--account', 'sandbox', '--status', 'GONE', '--dry-run'], '--status GONE is not a video status'],
      [['--account', 'sandbox', '--created-after', 'yesterday', '--dry-run'], '--created-after must be an ISO date'],
      [['--account', 'sandbox', '--created-before', '2026-02-30', '--dry-run'], '--created-before must be an ISO date'],
      [
        ['--account', 'sandbox', '--created-before', '2026-01-01T10:00', '--dry-run'],
        '--created-before must be an ISO date',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['delete', ...args, '--url', url]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
    }
    // What only the server can tell is its answer, still exit 2 and naming the field.
    const order = await runCli([
      'delete',
      '--account',
      'sandbox',
      '--created-after',
      '2026-01-02',
      '--created-before',
      '2026-01-01',
      '--dry-run',
      '--json',
      '--url',
      url,
    ]);
    expect(order.code).toBe(2);
    expect(order.stderr).toContain('createdAfter must be before');
    expect(order.json.at(-1)).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    const unknown = await runCli(['delete', '--account', 'nosuch', '--dry-run', '--url', url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nosuch"');
  });
});
