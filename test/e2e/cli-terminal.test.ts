import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { runCli, unreelBin, until } from '../support/run-cli.js';

// The progress bar as a person sees it: `unreel delete` in a real pseudo-terminal, a tmux pane, read back with
// capture-pane. tmux comes from apt (.ci/run installs it).

const socket = `unreel-cli-${process.pid}`;
let server: ChildServer;
let url: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

/** Runs `unreel` with `args` in a new 120x30 pane; the pane stays after it ends, showing its exit code. */
function openPane(name: string, args: string[]): void {
  const command = [process.execPath, unreelBin, ...args].map((part) => `'${part}'`).join(' ');
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '30', `${command}; echo EXIT=$?; sleep 600`);
}

const screen = (name: string): string => tmux('capture-pane', '-p', '-t', name);

const ids = (from: number, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `slow:vid-${String(from + index).padStart(6, '0')}`);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-cli-tty-'));
  const config = path.join(dir, 'unreel.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      journal: { driver: 'memory' },
      accounts: [
        // One video per call, eight calls a second: slow enough to see the bar move.
        {
          name: 'slow',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 300, batchSize: 1, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
          limits: { requestsPerSecond: 8, learnRate: false },
        },
      ],
    }),
  );
  server = startChildServer({ PORT: '0', UNREEL_CONFIG: config }, dir);
  ({ url } = await server.listening);
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no session was opened
  }
  server.child.kill('SIGTERM');
  await server.exited;
});

describe('unreel delete on a terminal', () => {
  it('draws a bar with rate and ETA on stderr, then the outcome, and prints no line per deleted video', async () => {
    openPane('bar', ['delete', '--url', url, ...ids(1, 40)]);
    const moving = /\d+% \| (\d+)\/40 \| [\d.]+\/s \| ETA \d+s \| 0 failed/;
    await until(() => Number(moving.exec(screen('bar'))?.[1] ?? 0) > 0, 'the bar with a rate and an ETA', 60_000);
    await until(() => screen('bar').includes('EXIT='), 'the command to end', 60_000);
    const shown = screen('bar');
    expect(shown).toMatch(/^operation [0-9a-f-]{36}$/m);
    expect(shown).toMatch(/100% \| 40\/40 \| [\d.]+\/s \| ETA 0s \| 0 failed/);
    expect(shown).toContain('SUCCEEDED: 40 items, 40 deleted, 0 not found, 0 failed');
    expect(shown).not.toMatch(/ DELETED$/m);
    expect(shown).toContain('EXIT=0');
  });

  it('stops watching on Ctrl-C, says how to resume, and leaves the operation running', async () => {
    openPane('interrupt', ['delete', '--url', url, '--operation-id', 'tty-interrupted', ...ids(101, 60)]);
    await until(() => /\d+% \| [1-9]\d*\/60 /.test(screen('interrupt')), 'the bar to move', 60_000);
    tmux('send-keys', '-t', 'interrupt', 'C-c');
    await until(() => screen('interrupt').includes('EXIT='), 'the command to end', 60_000);
    const shown = screen('interrupt');
    expect(shown).toContain('stopped watching; operation tty-interrupted goes on on the server');
    expect(shown).toMatch(/resume with: unreel watch tty-interrupted --after \d+ --url /);
    expect(shown).toContain('EXIT=130');
    // Not cancelled: it runs to its end on the server, and a watcher sees every item.
    const watched = await runCli(['watch', 'tty-interrupted', '--json', '--url', url]);
    expect(watched.code).toBe(0);
    expect(watched.json.filter((line) => line.type === 'item')).toHaveLength(60);
  });

  it('by selection, says discovering while the total grows, then how discovery ended', async () => {
    // The library's last 30 videos (a minute apart from 2025-01-01T00:00Z): none of the other tests' ids.
    openPane('selection', [
      'delete',
      '--account',
      'slow',
      '--created-after',
      '2025-01-01T04:30:00Z',
      '--status',
      'READY',
      '--max-items',
      '1000',
      '--url',
      url,
    ]);
    await until(
      () => /\d+% \| \d+\/30 discovering… \| [\d.]+\/s \| ETA -- \| 0 failed/.test(screen('selection')),
      'the bar saying it is discovering',
      60_000,
    );
    await until(() => screen('selection').includes('EXIT='), 'the command to end', 60_000);
    const shown = screen('selection');
    expect(shown).toContain('discovery DONE: 30 matching videos found, no more to find');
    // A discovered video grows the bar's total; it is no outcome, so it gets no line.
    expect(shown).not.toMatch(/ PENDING$/m);
    expect(shown).toMatch(/100% \| 30\/30 \| [\d.]+\/s \| ETA 0s \| 0 failed/);
    expect(shown).toContain('SUCCEEDED: 30 items, 30 deleted, 0 not found, 0 failed');
    expect(shown).toContain('EXIT=0');
  });
});
