import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxLibrary } from '../src/sandbox-library.js';
import { SandboxProvider } from '../src/sandbox-provider.js';
import { sandboxSettingsSchema } from '../src/sandbox-settings.js';

function settingsWith(stateFile: string) {
  return sandboxSettingsSchema.parse({
    videoCount: 10,
    latencyMs: [0, 0],
    processingRatio: 0,
    forbiddenRatio: 0,
    stateFile,
  });
}

/** A provider on a library read from `stateFile`: what a restarted process starts with. */
function restart(stateFile: string): SandboxProvider {
  const settings = settingsWith(stateFile);
  return new SandboxProvider(settings, new SandboxLibrary(settings));
}

const call = () => ({ signal: new AbortController().signal, attempt: 1 });

describe('the sandbox state file', () => {
  it('remembers deletions and restores across a restart, and nothing that only read', async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'sandbox-state-')), 'state.jsonl');
    const first = restart(stateFile);
    expect(await first.doDeleteVideos(['vid-000001', 'vid-000002', 'vid-000003'], call())).toMatchObject([
      { status: 'DELETED' },
      { status: 'DELETED' },
      { status: 'DELETED' },
    ]);
    expect(await first.doRestoreVideo('vid-000002', call())).toMatchObject({ status: 'RESTORED' });
    const written = readFileSync(stateFile, 'utf8');
    await first.doListVideos({ limit: 10 }, call());
    await first.doGetVideos(['vid-000001', 'vid-000004'], call());
    // Lookups and listings change nothing, so they add nothing to a file a frontend's polling would otherwise grow.
    expect(readFileSync(stateFile, 'utf8')).toBe(written);

    const second = restart(stateFile);
    const [one, two, three, four] = await second.doGetVideos(
      ['vid-000001', 'vid-000002', 'vid-000003', 'vid-000004'],
      call(),
    );
    expect([one?.status, two?.status, three?.status, four?.status]).toEqual(['DELETED', 'READY', 'DELETED', 'READY']);
    expect(one?.restorableUntil).toBeInstanceOf(Date);
    expect((await second.doListVideos({ limit: 10 }, call())).items).toHaveLength(8);
    // The delete and restore calls are remembered too (crash-recovery tests count them); the reads are not.
    expect(second.library.calls.map((remembered) => remembered.method)).toEqual(['delete', 'restore', 'get', 'list']);
    // Deleted before the restart: still restorable after it, and a second delete finds nothing.
    expect(await second.doRestoreVideo('vid-000003', call())).toMatchObject({ status: 'RESTORED' });
    expect(await second.doDeleteVideos(['vid-000001'], call())).toEqual([{ status: 'NOT_FOUND' }]);
  });

  it('skips a last line cut short by a crash mid-write', async () => {
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'sandbox-state-')), 'state.jsonl');
    await restart(stateFile).doDeleteVideos(['vid-000005'], call());
    appendFileSync(stateFile, '{"t":"deleted","id":"vid-0000');
    const [five, six] = await restart(stateFile).doGetVideos(['vid-000005', 'vid-000006'], call());
    expect([five?.status, six?.status]).toEqual(['DELETED', 'READY']);
  });
});
