import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { makeServer, type ServerOptions } from 'graphql-ws';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { serveGraphqlWs, type SocketExtra } from '../src/graphql/graphql-ws-adapter.js';
import { UnreelMetrics } from '../src/metrics/unreel-metrics.js';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
}

const KEEP_ALIVE_MS = 5_000;
const MAX_PAYLOAD = 1_000;

interface Served {
  url: string;
  lines: LogLine[];
  metrics: UnreelMetrics;
  wsServer: WebSocketServer;
}

let open: { httpServer: Server; dispose(): Promise<void> } | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await open?.dispose();
  open?.httpServer.close();
  open = undefined;
});

/** The adapter on a real port, with a graphql-ws server that needs no schema until a `subscribe` arrives. */
async function serve(
  options: Partial<ServerOptions<Record<string, unknown> | undefined, SocketExtra>> = {},
): Promise<Served> {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, destination);
  const metrics = new UnreelMetrics();
  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, maxPayload: MAX_PAYLOAD });
  const server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    connectionInitWaitTimeout: 0,
    ...options,
  });
  const { dispose } = serveGraphqlWs(wsServer, server, { logger, metrics, keepAliveMs: KEEP_ALIVE_MS });
  open = { httpServer, dispose };
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}`, lines, metrics, wsServer };
}

async function connect(url: string, options: { autoPong?: boolean } = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws', options);
  await once(socket, 'open');
  return socket;
}

/** Initialises the graphql-ws connection and waits for the server's acknowledgement. */
async function initialise(socket: WebSocket): Promise<void> {
  socket.send(JSON.stringify({ type: 'connection_init' }));
  const [data] = (await once(socket, 'message')) as [Buffer];
  expect(JSON.parse(String(data))).toEqual({ type: 'connection_ack' });
}

async function closeCode(socket: WebSocket): Promise<number> {
  const [code] = (await once(socket, 'close')) as [number];
  return code;
}

async function openSockets(metrics: UnreelMetrics): Promise<number | undefined> {
  const gauge = await metrics.registry.getSingleMetric('unreel_websockets_open')?.get();
  return gauge?.values[0]?.value;
}

describe('serveGraphqlWs', () => {
  it.each(['connection_ack', 'next', 'error'])(
    'closes with 4400 when a client sends %s, a message only a server sends, and logs no error of ours',
    async (type) => {
      const { url, lines } = await serve();
      const socket = await connect(url);
      await initialise(socket);
      const closed = closeCode(socket);
      socket.send(JSON.stringify({ type, id: '1', payload: type === 'error' ? [{ message: 'x' }] : { data: null } }));
      expect(await closed).toBe(4400);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    },
  );

  it('leaves a frame ws refuses to ws (1009 for one too large) and logs it as the client’s, a warning', async () => {
    const { url, lines } = await serve();
    const socket = await connect(url);
    const closed = closeCode(socket);
    socket.send('x'.repeat(MAX_PAYLOAD + 1));
    expect(await closed).toBe(1009);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'websocket protocol error',
        code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
      }),
    );
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('closes with 4500 and logs an error when handling a message fails on our side', async () => {
    const { url, lines } = await serve({
      onConnect: () => {
        throw new Error('a hook of ours broke');
      },
    });
    const socket = await connect(url);
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await closed).toBe(4500);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'websocket message handling failed' }));
  });

  it('counts the sockets open', async () => {
    const { url, metrics } = await serve();
    const socket = await connect(url);
    expect(await openSockets(metrics)).toBe(1);
    socket.close();
    await expect.poll(() => openSockets(metrics)).toBe(0);
  });

  it('pings every keep-alive period and terminates a socket whose pong does not come within the next', async () => {
    const { url, wsServer } = await serve();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const silent = await connect(url, { autoPong: false });
    const answering = await connect(url);
    const [silentOnServer, answeringOnServer] = [...wsServer.clients];
    const pinged = Promise.all([once(silent, 'ping'), once(answering, 'ping'), once(answeringOnServer!, 'pong')]);
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_MS);
    await pinged;
    const terminated = closeCode(silent);
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_MS - 1);
    expect(silentOnServer?.readyState).toBe(WebSocket.OPEN);
    await vi.advanceTimersByTimeAsync(1);
    // Terminated, not closed: no close frame, so the client sees an abnormal closure.
    expect(await terminated).toBe(1006);
    expect(answeringOnServer?.readyState).toBe(WebSocket.OPEN);
    answering.close();
  });
});
