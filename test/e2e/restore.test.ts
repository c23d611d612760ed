import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument, DeletionProgressDocument, RestoreVideoDocument, VideoDocument } from '@unreel/client';
import { getSandboxLibrary } from '@unreel/plugin-sandbox';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { SANDBOX, startTestServer } from '../support/test-server.js';

let server: UnreelServer;

beforeAll(async () => {
  server = await startTestServer({ sandbox: { processingRatio: 0, forbiddenRatio: 0 } });
});
afterAll(() => server.close());

describe('restoreVideo', () => {
  it('brings a deleted video back, records RESTORED on its item and streams it', async () => {
    const id = `${SANDBOX}:vid-000010`;
    await data(server.url, DeleteVideosDocument, { input: { ids: [id], operationId: 'restore-1' } });
    const deleted = await data(server.url, VideoDocument, { id });
    expect(deleted.video?.status).toBe('DELETED');
    expect(deleted.video?.deletion?.status).toBe('DELETED');
    expect(deleted.video?.deletion?.restorable).toBe(true);

    const restored = await data(server.url, RestoreVideoDocument, { id });
    expect(restored.restoreVideo.restored).toBe(true);
    expect(restored.restoreVideo.error).toBeNull();
    expect(restored.restoreVideo.video?.status).toBe('READY');
    expect(restored.restoreVideo.video?.deletion?.status).toBe('RESTORED');
    expect(getSandboxLibrary(SANDBOX)?.stateOf('vid-000010')).toBe('PRESENT');

    // The journal keeps the restore as the operation's next event.
    const client = wsClient(server.wsUrl);
    const replay = collect(client, DeletionProgressDocument, { operationId: 'restore-1', after: 0 });
    await replay.done;
    await client.dispose();
    expect(replay.results.map((result) => result.data?.deletionProgress.item.status)).toEqual(['DELETED', 'RESTORED']);
  });

  it('refuses clearly when the video was never deleted or does not exist', async () => {
    const never = await data(server.url, RestoreVideoDocument, { id: `${SANDBOX}:vid-000020` });
    expect(never.restoreVideo.restored).toBe(false);
    expect(never.restoreVideo.error?.code).toBe('NOT_DELETED');
    expect(never.restoreVideo.video?.status).toBe('READY');
    const missing = await data(server.url, RestoreVideoDocument, { id: `${SANDBOX}:does-not-exist` });
    expect(missing.restoreVideo).toMatchObject({ restored: false, error: { code: 'NOT_FOUND' }, video: null });
    // A malformed id or an unknown account is the request's fault, and the error names the argument: `id`.
    for (const id of ['no-separator', 'nowhere:vid-000001']) {
      const refused = await post(server.url, RestoreVideoDocument, { id });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    }
  });

  it('cancels a deletion still held by deleteDelay without calling the provider', async () => {
    const delayed = await startTestServer({
      accounts: [
        {
          name: 'held',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 20, latencyMs: [0, 0], processingRatio: 0, forbiddenRatio: 0 },
          deleteDelay: '10m',
        },
      ],
    });
    try {
      const result = await data(delayed.url, DeleteVideosDocument, {
        input: { ids: ['held:vid-000001', 'held:vid-000002'], operationId: 'held-1', wait: false },
      });
      expect(result.deleteVideos.pending).toBe(2);
      const video = await data(delayed.url, VideoDocument, { id: 'held:vid-000001' });
      expect(video.video?.deletion?.status).toBe('SCHEDULED');
      expect(video.video?.deletion?.restorable).toBe(true);
      const calls = getSandboxLibrary('held')?.calls.filter((call) => call.method === 'delete').length;
      const undone = await data(delayed.url, RestoreVideoDocument, { id: 'held:vid-000001' });
      expect(undone.restoreVideo.restored).toBe(true);
      expect(undone.restoreVideo.video?.deletion?.status).toBe('RESTORED');
      expect(getSandboxLibrary('held')?.calls.filter((call) => call.method === 'delete').length).toBe(calls);
      expect(getSandboxLibrary('held')?.stateOf('vid-000001')).toBe('PRESENT');
    } finally {
      await delayed.close();
    }
  });
});

describe('VideoDeletion.restorable', () => {
  it("reads the engine's clock, as every other window does: past restorableUntil it is false", async () => {
    let now = new Date();
    const clocked = await createUnreelServer({
      port: 0,
      logLevel: 'silent',
      now: () => now,
      config: {
        journal: { driver: 'memory' },
        accounts: [{ name: 'clocked', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 5, seed: 3 } }],
      },
    });
    try {
      const id = 'clocked:vid-000001';
      await data(clocked.url, DeleteVideosDocument, { input: { ids: [id] } });
      const before = await data(clocked.url, VideoDocument, { id });
      const until = before.video?.deletion?.restorableUntil;
      expect(before.video?.deletion).toMatchObject({ status: 'DELETED', restorable: true });
      expect(until).toEqual(expect.any(String));

      now = new Date(new Date(until as string).getTime() + 1);
      const after = await data(clocked.url, VideoDocument, { id });
      expect(after.video?.deletion).toMatchObject({ status: 'DELETED', restorable: false });
    } finally {
      await clocked.close();
    }
  });
});
