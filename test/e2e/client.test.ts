import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteWithProgress, type DeletionProgressEvent } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { listVideoIds, SANDBOX, startTestServer } from '../support/test-server.js';

// `@unreel/client`'s helper, as a frontend or a script uses it, against a real server with tenants configured.
const KEY = 'client-test-key-0123456789';
let server: UnreelServer;
let ids: string[];

beforeAll(async () => {
  server = await startTestServer(
    {
      tenants: [{ name: 'acme', apiKeys: ['${CLIENT_KEY}'], accounts: [SANDBOX] }],
      server: { metrics: { enabled: false } },
    },
    { env: { ...process.env, CLIENT_KEY: KEY } },
  );
  ids = await listVideoIds(server.url, SANDBOX, 80, { authorization: `Bearer ${KEY}` });
});
afterAll(() => server.close());

const auth = {
  headers: { authorization: `Bearer ${KEY}` },
  connectionParams: { authorization: `Bearer ${KEY}` },
  webSocketImpl: WebSocket,
};

describe('deleteWithProgress', () => {
  it('subscribes, deletes, and hands back every event in order with the final counts', async () => {
    const seen: DeletionProgressEvent[] = [];
    const { result, events } = await deleteWithProgress({
      url: server.url,
      ids: ids.slice(0, 60),
      operationId: 'client-60',
      onProgress: (event) => seen.push(event),
      ...auth,
    });
    expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    expect(seen).toEqual(events);
    expect(new Set(events.map((event) => event.item.videoId))).toEqual(new Set(ids.slice(0, 60)));
    expect(result).toMatchObject({ id: 'client-60', total: 60, pending: 0 });
    expect(result.deleted + result.notFound + result.failed).toBe(60);
    expect(result.status).toBe(events.at(-1)?.status);
  });

  it('is safe to call again with the same operationId: the same operation, replayed, no second deletion', async () => {
    const again = await deleteWithProgress({
      url: server.url,
      ids: ids.slice(0, 60),
      operationId: 'client-60',
      ...auth,
    });
    expect(again.events).toHaveLength(60);
    expect(again.result).toMatchObject({ id: 'client-60', total: 60, pending: 0 });
  });

  it('rejects with the server’s code when the request is refused, and leaves nothing waiting', async () => {
    const refused = deleteWithProgress({ url: server.url, ids: ['nowhere:vid-1'], ...auth });
    await expect(refused).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('Unknown account "nowhere"'),
    });
    const conflict = deleteWithProgress({ url: server.url, ids: ids.slice(60, 62), operationId: 'client-60', ...auth });
    await expect(conflict).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });

  it('rejects, rather than waiting, when the key is wrong on both transports', async () => {
    const wrong = {
      headers: { authorization: 'Bearer not-the-key-at-all-000' },
      connectionParams: { authorization: 'Bearer not-the-key-at-all-000' },
      webSocketImpl: WebSocket,
    };
    await expect(deleteWithProgress({ url: server.url, ids: ids.slice(62, 64), ...wrong })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('says so when only the progress socket is refused, after the deletion itself was accepted', async () => {
    const socketRefused = { ...auth, connectionParams: { authorization: 'Bearer not-the-key-at-all-000' } };
    await expect(
      deleteWithProgress({
        url: server.url,
        ids: ids.slice(64, 66),
        operationId: 'client-ws-refused',
        ...socketRefused,
      }),
    ).rejects.toMatchObject({
      code: 4403,
      message: expect.stringContaining('socket closed with 4403'),
    });
  });
});
