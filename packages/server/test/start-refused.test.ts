import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// Compiled output, as everywhere else: type-graphql needs the decorator metadata only tsc emits.
import { createUnreelServer, type UnreelServer } from '../dist/index.js';

const sandbox = { name: 'sandbox', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 10, seed: 1 } };

describe('a start refused for a taken port', () => {
  let first: UnreelServer | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await first?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('rejects with the listen error, having closed the journal it opened', async () => {
    first = await createUnreelServer({
      port: 0,
      logLevel: 'silent',
      config: { journal: { driver: 'memory' }, accounts: [sandbox] },
    });
    folder = mkdtempSync(path.join(tmpdir(), 'unreel-refused-'));
    const journal = path.join(folder, 'journal.db');
    const second = createUnreelServer({
      port: first.port,
      logLevel: 'silent',
      config: { journal: { path: journal }, accounts: [sandbox] },
    });
    await expect(second).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(existsSync(journal)).toBe(true);
    // SQLite removes the write-ahead log when its last connection closes.
    expect(existsSync(`${journal}-wal`)).toBe(false);
  });
});
