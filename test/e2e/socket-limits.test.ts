import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnreelServer } from '@unreel/server';
import { bearer } from '../support/graphql-http.js';
import { startTestServer } from '../support/test-server.js';

const ACME_KEY = 'acme-key-0123456789abcdef';
const BETA_KEY = 'beta-key-0123456789abcdef';
const METRICS_KEY = 'metrics-key-0123456789abcdef';
const MAX_SOCKETS = 2;

interface LogLine {
  msg: string;
  tenant?: string;
  address?: string;
  limit?: number;
}

type Handshake = { socket: WebSocket; acknowledged: true } | { acknowledged: false; code: number; reason: string };

/** One server under test, with what it logged and a way to read its metrics. */
class Target {
  readonly lines: LogLine[] = [];
  private readonly sockets: WebSocket[] = [];
  server!: UnreelServer;

  readonly destination = {
    write: (text: string) => {
      for (const line of text.split('\n')) if (line.trim() !== '') this.lines.push(JSON.parse(line) as LogLine);
      return true;
    },
  } as unknown as NodeJS.WritableStream;

  /** A raw graphql-transport-ws socket through connection_init: acknowledged and left open, or how it was closed. */
  handshake(key?: string, localAddress?: string): Promise<Handshake> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.server.wsUrl, 'graphql-transport-ws', localAddress ? { localAddress } : {});
      this.sockets.push(socket);
      socket.once('error', reject);
      socket.once('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', ...(key ? { payload: { authorization: key } } : {}) })),
      );
      socket.on('message', (raw) => {
        if ((JSON.parse(String(raw)) as { type: string }).type === 'connection_ack')
          resolve({ socket, acknowledged: true });
      });
      socket.once('close', (code, reason) => resolve({ acknowledged: false, code, reason: String(reason) }));
    });
  }

  /** One sample from GET /metrics, e.g. `unreel_websockets_open`. */
  async sample(name: string, labels = ''): Promise<number | undefined> {
    const response = await fetch(this.server.url.replace(/\/graphql$/, '/metrics'), { headers: bearer(METRICS_KEY) });
    const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
    const line = (await response.text()).split('\n').find((text) => text.startsWith(prefix));
    return line === undefined ? undefined : Number(line.slice(prefix.length));
  }

  /**
   * Closes this socket (all of ours by default) and waits until the server has seen it closed: its place is given
   * back in the same event that lowers unreel_websockets_open.
   */
  async close(socket?: WebSocket): Promise<void> {
    const closing = socket ? [socket] : this.sockets.splice(0);
    await Promise.all(
      closing.map(async (each) => {
        if (each.readyState === WebSocket.CLOSED) return;
        const closed = once(each, 'close');
        each.close(1000);
        await closed;
      }),
    );
    const open = this.sockets.filter((each) => each.readyState !== WebSocket.CLOSED).length;
    await expect.poll(() => this.sample('unreel_websockets_open'), { interval: 10 }).toBe(open);
  }
}

describe('sockets per tenant', () => {
  const target = new Target();

  beforeAll(async () => {
    target.server = await startTestServer(
      {
        accounts: [
          { name: 'acme-sb', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 5 } },
          { name: 'beta-sb', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 5 } },
        ],
        tenants: [
          { name: 'acme', apiKeys: [ACME_KEY], accounts: ['acme-sb'] },
          { name: 'beta', apiKeys: [BETA_KEY], accounts: ['beta-sb'] },
        ],
        server: { maxSocketsPerTenant: MAX_SOCKETS, metrics: { apiKey: METRICS_KEY } },
      },
      { logLevel: 'info', logDestination: target.destination },
    );
  });
  afterEach(() => target.close());
  afterAll(() => target.server?.close());

  it('refuses a tenant a socket beyond maxSocketsPerTenant with 4430, a log line and a metric, and not another tenant', async () => {
    const accepted = await Promise.all([target.handshake(ACME_KEY), target.handshake(ACME_KEY)]);
    expect(accepted.map((answer) => answer.acknowledged)).toEqual([true, true]);
    expect(await target.handshake(ACME_KEY)).toEqual({
      acknowledged: false,
      code: 4430,
      reason: `Too many sockets for this tenant: at most ${MAX_SOCKETS} at once`,
    });
    expect(target.lines).toContainEqual(
      expect.objectContaining({ msg: 'websocket refused: too many sockets', tenant: 'acme', limit: MAX_SOCKETS }),
    );
    expect(await target.sample('unreel_websocket_limit_refusals_total', 'tenant="acme"')).toBe(1);
    // The limit is each tenant's own: acme's sockets take nothing from beta.
    expect(await target.handshake(BETA_KEY)).toMatchObject({ acknowledged: true });
  });

  it('gives the place back when one of the tenant’s sockets closes', async () => {
    const [first] = await Promise.all([target.handshake(ACME_KEY), target.handshake(ACME_KEY)]);
    expect(await target.handshake(ACME_KEY)).toMatchObject({ acknowledged: false, code: 4430 });
    if (!first?.acknowledged) throw new Error('the first socket was not acknowledged');
    await target.close(first.socket);
    expect(await target.handshake(ACME_KEY)).toMatchObject({ acknowledged: true });
  });

  it('counts only sockets that passed connection_init: a refused key takes no place', async () => {
    for (const key of ['not-a-key-of-anyone-at-all', undefined]) {
      expect(await target.handshake(key)).toMatchObject({ acknowledged: false, code: 4403 });
    }
    const answers = await Promise.all([target.handshake(BETA_KEY), target.handshake(BETA_KEY)]);
    expect(answers.map((answer) => answer.acknowledged)).toEqual([true, true]);
  });
});

describe('sockets per client address, without tenants', () => {
  const target = new Target();

  beforeAll(async () => {
    target.server = await startTestServer(
      { server: { maxSocketsPerTenant: MAX_SOCKETS } },
      { logLevel: 'info', logDestination: target.destination },
    );
  });
  afterEach(() => target.close());
  afterAll(() => target.server?.close());

  it('refuses an address a socket beyond the limit, while another address still connects', async () => {
    const accepted = await Promise.all([target.handshake(), target.handshake()]);
    expect(accepted.map((answer) => answer.acknowledged)).toEqual([true, true]);
    expect(await target.handshake()).toEqual({
      acknowledged: false,
      code: 4430,
      reason: `Too many sockets from this address: at most ${MAX_SOCKETS} at once`,
    });
    expect(target.lines).toContainEqual(
      expect.objectContaining({ msg: 'websocket refused: too many sockets', tenant: 'default', address: '127.0.0.1' }),
    );
    // Linux routes all of 127.0.0.0/8 to loopback: another client address on this machine.
    expect(await target.handshake(undefined, '127.0.0.2')).toMatchObject({ acknowledged: true });
  });

  it('closes a socket that never sends connection_init after graphql-ws’s wait (4408), so it holds nothing for long', async () => {
    const socket = new WebSocket(target.server.wsUrl, 'graphql-transport-ws');
    const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
    expect([code, String(reason)]).toEqual([4408, 'Connection initialisation timeout']);
  });
});
