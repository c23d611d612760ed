import { once } from 'node:events';
import { print } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountsDocument,
  DeleteVideosDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { listVideoIds, SANDBOX, startTestServer } from '../support/test-server.js';

type Progress = DeletionProgressSubscription['deletionProgress'];

const VIDEOS = 5_000;
const SLOW_BUFFER_BYTES = 65_536;

let server: UnreelServer;
let ids: string[];

beforeAll(async () => {
  server = await startTestServer(
    {
      sandbox: { videoCount: VIDEOS, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
      server: { maxIdsPerOperation: VIDEOS, maxSocketBufferBytes: SLOW_BUFFER_BYTES, slowSocketCloseMs: 100 },
    },
    {},
  );
  ids = await listVideoIds(server.url, SANDBOX, VIDEOS);
});
afterAll(() => server.close());

/** One sample from GET /metrics, e.g. `unreel_subscriptions_open`. */
async function sample(name: string): Promise<number | undefined> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** A smaller selection than DeletionProgressDocument's, with a variable of its own (so a group of its own per value). */
const SLIM = `subscription Slim($operationId: ID!, $after: Int, $withItem: Boolean!) {
  deletionProgress(operationId: $operationId, after: $after) { sequence status item @include(if: $withItem) { videoId } }
}`;

interface SlimEvent {
  sequence: number;
  status: string;
  item?: { videoId: string };
}

/** Every `next` of one subscription over a client, until it completes. */
function subscribeSlim(
  client: ReturnType<typeof wsClient>,
  variables: Record<string, unknown>,
): { events: SlimEvent[]; done: Promise<void> } {
  const events: SlimEvent[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe<{ deletionProgress: SlimEvent }>(
      { query: SLIM, variables },
      {
        next: (result) => {
          if (result.errors || !result.data) reject(new Error(JSON.stringify(result.errors)));
          else events.push(result.data.deletionProgress);
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: resolve,
      },
    );
  });
  return { events, done };
}

/** A raw graphql-transport-ws socket, acknowledged, that counts the frames it reads and reports how it was closed. */
async function rawSocket(): Promise<{ socket: WebSocket; frames: () => number; closed: Promise<[number, string]> }> {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  let frames = 0;
  const closed = once(socket, 'close').then(([code, reason]) => [code as number, String(reason)] as [number, string]);
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise<void>((resolve) =>
    socket.on('message', (raw) => {
      frames += 1;
      if ((JSON.parse(String(raw)) as { type: string }).type === 'connection_ack') resolve();
    }),
  );
  return { socket, frames: () => frames, closed };
}

describe('many watchers of one operation', () => {
  it('gives every subscriber exactly the events after its own `after`, once each, in order, shared or not', async () => {
    const operationId = 'watchers-after';
    const chosen = ids.slice(0, 300);
    const clients = [wsClient(server.wsUrl), wsClient(server.wsUrl), wsClient(server.wsUrl)];
    // The same document with different `after`s (one group), and a second selection in two variants (two more).
    const early = [0, 0, 7, 120, 299, 300].map((after, index) => ({
      after,
      stream: collect(clients[index % 3]!, DeletionProgressDocument, { operationId, after }),
    }));
    const slim = [0, 33].map((after) => ({
      after,
      withItem: after === 0,
      ...subscribeSlim(clients[0]!, { operationId, after, withItem: after === 0 }),
    }));
    await expect.poll(() => sample('unreel_subscriptions_open')).toBe(8);
    await data(server.url, DeleteVideosDocument, { input: { ids: chosen, operationId, wait: false } });
    // Joining while it runs: whatever has been written by then is replayed, the rest streams live.
    const late = [0, 1, 150, 250].map((after, index) => ({
      after,
      stream: collect(clients[index % 3]!, DeletionProgressDocument, { operationId, after }),
    }));
    await Promise.all([...early, ...late].map(({ stream }) => stream.done));
    await Promise.all(slim.map(({ done }) => done));
    await Promise.all(clients.map((client) => client.dispose()));

    const reference = early[0]!.stream.results.map(
      (result) => (result.data as DeletionProgressSubscription).deletionProgress,
    );
    expect(reference.map((event) => event.sequence)).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
    expect(new Set(reference.map((event) => event.item.videoId))).toEqual(new Set(chosen));
    for (const { after, stream } of [...early, ...late]) {
      expect(stream.results.every((result) => !result.errors)).toBe(true);
      const events = stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events).toEqual(reference.slice(after) as Progress[]);
    }
    for (const { after, withItem, events } of slim) {
      expect(events.map((event) => event.sequence)).toEqual(reference.slice(after).map((event) => event.sequence));
      expect(events.map((event) => event.item?.videoId)).toEqual(
        reference.slice(after).map((event) => (withItem ? event.item.videoId : undefined)),
      );
    }
  });

  it('closes a socket that stopped reading with 4431 while a fast subscriber of the same operation finishes', async () => {
    const operationId = 'watchers-slow';
    await data(server.url, DeleteVideosDocument, { input: { ids, operationId, wait: true } });
    const slow = await rawSocket();
    // Far more than the kernel's socket buffers take from a reader that has stopped: the server's own buffer fills.
    for (let index = 0; index < 40; index += 1) {
      slow.socket.send(
        JSON.stringify({
          id: `slow-${index}`,
          type: 'subscribe',
          payload: { query: print(DeletionProgressDocument), variables: { operationId, after: 0 } },
        }),
      );
    }
    slow.socket.pause();
    const client = wsClient(server.wsUrl);
    const fast = collect(client, DeletionProgressDocument, { operationId, after: 0 });

    await expect.poll(() => sample('unreel_websocket_slow_closes_total'), { timeout: 30_000 }).toBe(1);
    await fast.done;
    await client.dispose();
    expect(
      fast.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress.sequence),
    ).toEqual(Array.from({ length: VIDEOS }, (_, index) => index + 1));
    // Told why once it reads again: what was sent before the close frame, then the close frame.
    slow.socket.resume();
    const [code, reason] = await slow.closed;
    expect(code).toBe(4431);
    expect(reason).toBe('Too slow: resubscribe with after');
    expect(slow.frames()).toBeLessThan(40 * VIDEOS);
  });

  it('answers a query while large replays stream, before they are done', async () => {
    const operationId = 'watchers-replay';
    await data(server.url, DeleteVideosDocument, { input: { ids, operationId, wait: true } });
    const replays = 10;
    const client = wsClient(server.wsUrl);
    let received = 0;
    let completed = 0;
    let firstEvent: () => void = () => {};
    const started = new Promise<void>((resolve) => (firstEvent = resolve));
    const streams = Array.from({ length: replays }, () =>
      collect(client, DeletionProgressDocument, { operationId, after: 0 }, () => {
        received += 1;
        firstEvent();
      }).done.then(() => void (completed += 1)),
    );
    await started;
    const answer = await post(server.url, AccountsDocument);
    // Where the answer came, in the order of things: replays still streaming.
    const receivedWhenAnswered = received;
    const completedWhenAnswered = completed;
    await Promise.all(streams);
    await client.dispose();

    expect(answer.data?.accounts.map((account) => account.name)).toEqual([SANDBOX]);
    expect(completedWhenAnswered).toBeLessThan(replays);
    expect(receivedWhenAnswered).toBeLessThan(replays * VIDEOS);
    expect(received).toBe(replays * VIDEOS);
  });
});
