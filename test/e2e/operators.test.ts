import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsDocument, DeleteVideosDocument, DeletionProgressDocument } from '@unreel/client';
import { getSandboxLibrary } from '@unreel/plugin-sandbox';
import type { UnreelServer } from '@unreel/server';
import { bearer, data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { startTestServer } from '../support/test-server.js';

const KEY = 'operators-key-0123456789';
const METRICS_KEY = 'operators-metrics-0123456789';
const ACCOUNT = 'ops-sb';
const HELD = 'ops-held';

interface LogLine {
  msg: string;
  level: number;
  requestId?: string;
  tenant?: string;
  operationId?: string;
  transport?: string;
  operationName?: string;
  operationType?: string;
  outcome?: string;
}

const lines: LogLine[] = [];
let server: UnreelServer;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  server = await startTestServer(
    {
      accounts: [
        {
          name: ACCOUNT,
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 60, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
        },
        {
          name: HELD,
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 5, latencyMs: [0, 2] },
          deleteDelay: '1h',
        },
      ],
      tenants: [{ name: 'ops', apiKeys: [KEY], accounts: [ACCOUNT, HELD] }],
      server: { metrics: { apiKey: METRICS_KEY } },
    },
    { logLevel: 'debug', logDestination: destination },
  );
});

afterAll(() => server?.close());

async function scrape(): Promise<string> {
  const response = await fetch(server.url.replace(/\/graphql$/, '/metrics'), { headers: bearer(METRICS_KEY) });
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one sample, e.g. `unreel_items_total{account="a",provider="sandbox",outcome="DELETED"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('structured logs', () => {
  it('carry the request id (the caller’s when it is a plain token), the tenant, and the operation id', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-ops-1', ...bearer(KEY) },
      body: JSON.stringify({
        query: 'mutation($input: DeleteVideosInput!) { deleteVideos(input: $input) { id status } }',
        variables: { input: { ids: [`${ACCOUNT}:vid-000001`], operationId: 'ops-logged' } },
      }),
    });
    expect(response.headers.get('x-request-id')).toBe('req-ops-1');
    expect((await response.json()) as unknown).toMatchObject({
      data: { deleteVideos: { id: 'ops-logged', status: 'SUCCEEDED' } },
    });

    const request = lines.find((line) => line.msg === 'graphql request' && line.requestId === 'req-ops-1');
    expect(request).toMatchObject({ tenant: 'ops', transport: 'http', level: 30 });
    expect(lines.find((line) => line.msg === 'deletion accepted' && line.requestId === 'req-ops-1')).toMatchObject({
      tenant: 'ops',
      operationId: 'ops-logged',
    });
    expect(lines.find((line) => line.msg === 'operation accepted' && line.operationId === 'ops-logged')).toMatchObject({
      tenant: 'ops',
    });

    const unsafe = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'has spaces {}', ...bearer(KEY) },
      body: JSON.stringify({ query: '{ accounts { name } }' }),
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('log WebSocket operations under the socket’s id and the tenant', async () => {
    const client = wsClient(server.wsUrl, { connectionParams: { authorization: `Bearer ${KEY}` } });
    try {
      const run = collect(client, AccountsDocument, {});
      await run.done;
    } finally {
      await client.dispose();
    }
    const operation = lines.find((line) => line.msg === 'graphql operation' && line.operationName === 'Accounts');
    expect(operation).toMatchObject({ tenant: 'ops', transport: 'websocket' });
    expect(operation?.requestId).toMatch(/^[0-9a-f-]{36}\/.+$/);
  });
});

describe('Prometheus metrics', () => {
  it('count items by provider and outcome, provider latency, throttled calls and retries', async () => {
    const library = getSandboxLibrary(ACCOUNT);
    library?.failNext('throttle', 1);
    library?.failNext('server-error', 1);
    const ids = Array.from({ length: 6 }, (_, index) => `${ACCOUNT}:vid-0000${10 + index}`);
    const result = await data(server.url, DeleteVideosDocument, { input: { ids } }, bearer(KEY));
    expect(result.deleteVideos).toMatchObject({ status: 'SUCCEEDED', deleted: 6 });
    // On its own: after the ambiguous server error above, a NOT_FOUND would rightly count as our own deletion.
    const missing = await data(
      server.url,
      DeleteVideosDocument,
      { input: { ids: [`${ACCOUNT}:vid-999999`] } },
      bearer(KEY),
    );
    expect(missing.deleteVideos).toMatchObject({ status: 'SUCCEEDED', notFound: 1 });

    const text = await scrape();
    expect(
      sample(text, 'unreel_items_total', { account: ACCOUNT, provider: 'sandbox', outcome: 'DELETED' }),
    ).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'unreel_items_total', { account: ACCOUNT, outcome: 'NOT_FOUND' })).toBe(1);
    expect(sample(text, 'unreel_provider_throttled_total', { account: ACCOUNT, method: 'delete' })).toBe(1);
    expect(
      sample(text, 'unreel_provider_retries_total', { account: ACCOUNT, method: 'delete', code: 'RATE_LIMITED' }),
    ).toBe(1);
    expect(
      sample(text, 'unreel_provider_retries_total', { account: ACCOUNT, method: 'delete', code: 'PROVIDER_ERROR' }),
    ).toBe(1);
    expect(
      sample(text, 'unreel_provider_call_duration_seconds_count', {
        account: ACCOUNT,
        method: 'delete',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE unreel_provider_call_duration_seconds histogram');
    expect(sample(text, 'unreel_auth_failures_total', { transport: 'http' }) ?? 0).toBe(0);
  });

  it('show what is open now: subscriptions, sockets and running operations per tenant', async () => {
    const client = wsClient(server.wsUrl, { connectionParams: { authorization: `Bearer ${KEY}` } });
    const progress = collect(client, DeletionProgressDocument, { operationId: 'ops-held', after: 0 });
    progress.done.catch(() => undefined);
    try {
      await data(
        server.url,
        DeleteVideosDocument,
        { input: { ids: [`${HELD}:vid-000001`], operationId: 'ops-held', wait: false } },
        bearer(KEY),
      );
      // The subscription sees the operation's first event only once it exists: by then both are open.
      await expect.poll(async () => sample(await scrape(), 'unreel_subscriptions_open')).toBe(1);
      const text = await scrape();
      expect(sample(text, 'unreel_websockets_open')).toBe(1);
      expect(sample(text, 'unreel_operations_running', { tenant: 'ops' })).toBe(1);
    } finally {
      progress.stop();
      await client.dispose();
    }
    await expect.poll(async () => sample(await scrape(), 'unreel_subscriptions_open')).toBe(0);
    await expect.poll(async () => sample(await scrape(), 'unreel_websockets_open')).toBe(0);
  });

  it('log a subscription the socket’s closing ended as closed, and count it closed', async () => {
    const before = lines.length;
    const client = wsClient(server.wsUrl, { connectionParams: { authorization: `Bearer ${KEY}` } });
    const progress = collect(client, DeletionProgressDocument, { operationId: 'ops-never-created', after: 0 });
    progress.done.catch(() => undefined);
    await expect.poll(async () => sample(await scrape(), 'unreel_subscriptions_open')).toBe(1);
    await client.dispose();
    await expect.poll(async () => sample(await scrape(), 'unreel_subscriptions_open')).toBe(0);
    expect(
      lines
        .slice(before)
        .filter((line) => line.msg === 'graphql operation' && line.operationName === 'DeletionProgress'),
    ).toMatchObject([{ tenant: 'ops', transport: 'websocket', operationType: 'subscription', outcome: 'closed' }]);
  });

  it('count refused keys', async () => {
    await post(server.url, AccountsDocument, {}, bearer('wrong-key-for-ops-0000'));
    expect(sample(await scrape(), 'unreel_auth_failures_total', { transport: 'http' })).toBe(1);
  });
});
