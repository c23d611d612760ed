import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument, DeletionProgressDocument, VideoDocument } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { startChildServer } from '../support/child-server.js';
import { collect } from '../support/graphql-ws.js';
import { listVideoIds, SANDBOX, startTestServer } from '../support/test-server.js';

/** A frontend's dev server (Vite's default port) on this machine, as each loopback name. */
const DEV_ORIGINS = ['http://127.0.0.1:5173', 'http://localhost:5173', 'http://[::1]:5173'];
const DEV_ORIGIN = 'http://127.0.0.1:5173';

/** What browsers' GraphQL clients send besides content-type: Apollo Client, urql, CSRF, W3C trace context, ours. */
const CLIENT_HEADERS = [
  'content-type',
  'authorization',
  'apollographql-client-name',
  'apollographql-client-version',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'traceparent',
  'tracestate',
  'baggage',
  'x-request-id',
];

interface LogLine {
  msg: string;
  level: number;
  requestId?: string;
  reason?: string;
  method?: string;
  path?: string;
  origin?: string;
  host?: string;
  requested?: string;
}

/** The server's JSON log lines, as they are written. */
function logSink(): { stream: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { stream, lines };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, not fetch: a DNS-rebinding page's request carries a Host fetch would not let us set. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

function preflight(url: string, origin: string, requestHeaders: readonly string[], requestId?: string) {
  return send(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': requestHeaders.join(','),
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
  });
}

function graphqlPost(url: string, query: string, variables: unknown, headers: Record<string, string>) {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

/** A WebSocket upgrade as a browser page (or a rebinding one) makes it: 101, or the status and body of the refusal. */
function upgrade(
  wsUrl: string,
  headers: { origin?: string; host?: string; 'x-request-id'?: string },
): Promise<{ status: number; body: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const { origin, ...rest } = headers;
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: rest, ...(origin ? { origin } : {}) });
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '', contentType: undefined });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body, contentType: response.headers['content-type'] }),
      );
    });
    socket.once('error', (error) => (error.message.includes('Unexpected server response') ? undefined : reject(error)));
  });
}

/** graphql-ws from a page on `origin`: a browser sets the Origin of every socket it opens. */
function browserWsClient(wsUrl: string, origin: string) {
  class PageSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { origin });
    }
  }
  return createClient({ url: wsUrl, webSocketImpl: PageSocket, lazy: true, retryAttempts: 0 });
}

/** The lines a request wrote, found by the x-request-id it sent. */
function linesOf(lines: readonly LogLine[], requestId: string): LogLine[] {
  return lines.filter((line) => line.requestId === requestId);
}

function errorOf(body: string): { message: string; extensions: { code: string } } | undefined {
  return (JSON.parse(body) as { errors?: { message: string; extensions: { code: string } }[] }).errors?.[0];
}

describe('a browser app on this machine, without tenants (the embedded default’s mode)', () => {
  let server: UnreelServer;
  const log = logSink();
  let ids: string[];

  beforeAll(async () => {
    server = await startTestServer({}, { logLevel: 'info', logDestination: log.stream });
    ids = await listVideoIds(server.url, SANDBOX, 20);
  });
  afterAll(() => server?.close());

  it.each(DEV_ORIGINS)('passes the CORS preflight of %s with every header browsers’ clients send', async (origin) => {
    const response = await preflight(server.url, origin, CLIENT_HEADERS);
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    const allowed = String(response.headers['access-control-allow-headers']).split(',');
    expect(allowed).toEqual(expect.arrayContaining(CLIENT_HEADERS));
    expect(response.headers['access-control-allow-methods']).toBe('GET,POST');
  });

  it('runs a mutation sent from the dev server’s page, and exposes its request id', async () => {
    const response = await graphqlPost(
      server.url,
      print(DeleteVideosDocument),
      { input: { ids: ids.slice(0, 2), operationId: 'from-a-page' } },
      { origin: DEV_ORIGIN, 'apollographql-client-name': 'web', 'x-request-id': 'page-mutation-1' },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ data: { deleteVideos: { id: 'from-a-page', total: 2 } } });
    expect(response.headers['access-control-allow-origin']).toBe(DEV_ORIGIN);
    expect(response.headers['access-control-expose-headers']).toBe('x-request-id');
    expect(response.headers['x-request-id']).toBe('page-mutation-1');
  });

  it('opens a WebSocket from the dev server’s page and streams a deletion’s progress', async () => {
    const client = browserWsClient(server.wsUrl, DEV_ORIGIN);
    try {
      const operationId = 'from-a-page-ws';
      const response = await graphqlPost(
        server.url,
        print(DeleteVideosDocument),
        { input: { ids: ids.slice(2, 5), operationId } },
        { origin: DEV_ORIGIN },
      );
      expect(response.status).toBe(200);
      const progress = collect(client, DeletionProgressDocument, { operationId, after: 0 });
      await progress.done;
      expect(progress.results.map((result) => result.data?.deletionProgress.sequence)).toEqual([1, 2, 3]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a DNS-rebinding page (Host and Origin evil.example) over HTTP and WebSocket, deletes nothing, and logs each once', async () => {
    const id = ids[10] as string;
    const before = JSON.parse((await graphqlPost(server.url, print(VideoDocument), { id }, {})).body) as unknown;
    const evil = { host: 'evil.example:4000', origin: 'http://evil.example:4000' };

    const refused = await graphqlPost(
      server.url,
      print(DeleteVideosDocument),
      { input: { ids: [id], operationId: 'rebound' } },
      { ...evil, 'x-request-id': 'rebinding-http' },
    );
    expect(refused.status).toBe(403);
    expect(errorOf(refused.body)).toEqual({
      message:
        'Host "evil.example:4000" is not served here (a guard against DNS rebinding): use localhost, 127.0.0.1 or [::1], or add the name to server.allowedHosts',
      extensions: { code: 'HOST_NOT_ALLOWED' },
    });

    const socket = await upgrade(server.wsUrl, { ...evil, 'x-request-id': 'rebinding-ws' });
    expect(socket.status).toBe(403);
    expect(socket.contentType).toBe('application/json');
    expect(errorOf(socket.body)?.extensions.code).toBe('HOST_NOT_ALLOWED');

    // Nothing was journaled and the video is as it was.
    const after = JSON.parse((await graphqlPost(server.url, print(VideoDocument), { id }, {})).body) as unknown;
    expect(after).toEqual(before);
    expect(after).toMatchObject({ data: { video: { id, deletion: null } } });

    for (const [requestId, message] of [
      ['rebinding-http', 'request refused: host not allowed'],
      ['rebinding-ws', 'websocket refused: host not allowed'],
    ] as const) {
      expect(linesOf(log.lines, requestId)).toEqual([
        expect.objectContaining({
          msg: message,
          level: 40,
          reason: 'host',
          path: '/graphql',
          host: evil.host,
          origin: evil.origin,
        }),
      ]);
    }
  });

  it('refuses a page of another site (a preflight, a request, a WebSocket) saying how to allow it, and logs each once', async () => {
    const origin = 'https://elsewhere.example';
    const pre = await preflight(server.url, origin, ['content-type'], 'other-site-preflight');
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(errorOf(pre.body)).toEqual({
      message:
        'Origin https://elsewhere.example is not allowed: pages on localhost, 127.0.0.1 and [::1] are; allow another with server.allowedOrigins or UNREEL_ALLOWED_ORIGINS',
      extensions: { code: 'ORIGIN_NOT_ALLOWED' },
    });
    const post = await graphqlPost(
      server.url,
      '{ accounts { name } }',
      {},
      { origin, 'x-request-id': 'other-site-post' },
    );
    expect(post.status).toBe(403);
    const socket = await upgrade(server.wsUrl, { origin, 'x-request-id': 'other-site-ws' });
    expect(socket.status).toBe(403);
    expect(errorOf(socket.body)?.message).toMatch(/^Origin https:\/\/elsewhere.example is not allowed/);

    for (const [requestId, message, method] of [
      ['other-site-preflight', 'preflight refused: origin not allowed', 'OPTIONS'],
      ['other-site-post', 'request refused: origin not allowed', 'POST'],
      ['other-site-ws', 'websocket refused: origin not allowed', 'GET'],
    ] as const) {
      expect(linesOf(log.lines, requestId)).toEqual([
        expect.objectContaining({ msg: message, reason: 'origin', method, origin, path: '/graphql' }),
      ]);
    }
  });

  it('refuses a preflight for a header it does not allow, naming it', async () => {
    const response = await preflight(server.url, DEV_ORIGIN, ['content-type', 'x-custom'], 'custom-header');
    expect(response.status).toBe(403);
    expect(errorOf(response.body)).toMatchObject({
      message: expect.stringMatching(/^Request header x-custom is not allowed; allowed are content-type, /),
      extensions: { code: 'PREFLIGHT_REFUSED' },
    });
    expect(linesOf(log.lines, 'custom-header')).toEqual([
      expect.objectContaining({
        msg: 'preflight refused: header not allowed',
        reason: 'header',
        requested: 'x-custom',
      }),
    ]);
  });

  it('logs a request Apollo refuses as a possible CSRF once, and answers one that forces a preflight', async () => {
    const query = `${server.url}?query=${encodeURIComponent('{ accounts { name } }')}`;
    // urql's default: a query as a GET, with no header that would make a browser ask first.
    const simple = await send(query, { headers: { origin: DEV_ORIGIN, 'x-request-id': 'csrf-get' } });
    expect(simple.status).toBe(400);
    expect(errorOf(simple.body)?.message).toMatch(/Cross-Site Request Forgery/);
    expect(linesOf(log.lines, 'csrf-get')).toEqual([
      expect.objectContaining({ reason: 'csrf', method: 'GET', path: '/graphql', origin: DEV_ORIGIN, level: 40 }),
    ]);
    // The query string (a GET's variables) is never logged.
    expect(JSON.stringify(linesOf(log.lines, 'csrf-get'))).not.toContain('accounts');

    const preflighted = await send(query, { headers: { origin: DEV_ORIGIN, 'apollo-require-preflight': 'true' } });
    expect(JSON.parse(preflighted.body)).toEqual({ data: { accounts: [{ name: SANDBOX }] } });
  });

  it('answers health probes whatever Host they name', async () => {
    const response = await send(server.url.replace(/\/graphql$/, '/healthz'), { headers: { host: '10.1.2.3:4000' } });
    expect(response.status).toBe(200);
  });
});

describe('with tenants', () => {
  const KEY = 'acme-key-0123456789abcdef';
  const APP = 'https://app.example.com';
  let server: UnreelServer;
  const tenantConfig = {
    tenants: [{ name: 'acme', apiKeys: ['${ACME_KEY}'], accounts: [SANDBOX] }],
  };
  const env = { ...process.env, ACME_KEY: KEY, METRICS_KEY: 'metrics-key-0123456789abcdef' };

  beforeAll(async () => {
    server = await startTestServer(
      { ...tenantConfig, server: { allowedOrigins: [APP], metrics: { apiKey: '${METRICS_KEY}' } } },
      { env },
    );
  });
  afterAll(() => server?.close());

  it('refuses a loopback origin that allowedOrigins does not list, and allows the listed one', async () => {
    const refused = await preflight(server.url, DEV_ORIGIN, ['content-type', 'authorization']);
    expect(refused.status).toBe(403);
    expect(errorOf(refused.body)).toEqual({
      message: 'Origin http://127.0.0.1:5173 is not allowed: set server.allowedOrigins or UNREEL_ALLOWED_ORIGINS',
      extensions: { code: 'ORIGIN_NOT_ALLOWED' },
    });
    expect((await upgrade(server.wsUrl, { origin: DEV_ORIGIN })).status).toBe(403);

    const allowed = await preflight(server.url, APP, ['content-type', 'authorization']);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    expect((await upgrade(server.wsUrl, { origin: APP })).status).toBe(101);
  });

  it('answers any Host while server.allowedHosts is empty (every request needs a key)', async () => {
    const response = await graphqlPost(
      server.url,
      '{ accounts { name } }',
      {},
      {
        host: 'api.example.com',
        authorization: `Bearer ${KEY}`,
      },
    );
    expect(JSON.parse(response.body)).toEqual({ data: { accounts: [{ name: SANDBOX }] } });
  });

  it('with server.allowedHosts, answers the listed names and loopback ones only', async () => {
    const guarded = await startTestServer(
      {
        ...tenantConfig,
        server: { allowedHosts: ['api.example.com'], metrics: { apiKey: '${METRICS_KEY}' } },
      },
      { env },
    );
    try {
      const ask = (host: string) =>
        graphqlPost(guarded.url, '{ accounts { name } }', {}, { host, authorization: `Bearer ${KEY}` });
      expect((await ask('api.example.com')).status).toBe(200);
      expect((await ask(new URL(guarded.url).host)).status).toBe(200);
      const refused = await ask('other.example.com');
      expect(refused.status).toBe(403);
      expect(errorOf(refused.body)?.extensions.code).toBe('HOST_NOT_ALLOWED');
      expect((await upgrade(guarded.wsUrl, { host: 'other.example.com' })).status).toBe(403);
      expect((await upgrade(guarded.wsUrl, { host: 'api.example.com' })).status).toBe(101);
    } finally {
      await guarded.close();
    }
  });
});

describe('UNREEL_ALLOWED_ORIGINS', () => {
  it('allows more origins without restating the accounts', async () => {
    const server = await startTestServer(
      {},
      { env: { ...process.env, UNREEL_ALLOWED_ORIGINS: 'http://myapp.test:3000, https://other.test,' } },
    );
    try {
      for (const origin of ['http://myapp.test:3000', 'https://other.test', DEV_ORIGIN]) {
        const response = await preflight(server.url, origin, ['content-type']);
        expect(response.status, origin).toBe(204);
        expect(response.headers['access-control-allow-origin']).toBe(origin);
      }
      expect((await upgrade(server.wsUrl, { origin: 'http://myapp.test:3000' })).status).toBe(101);
      expect((await preflight(server.url, 'http://myapp.test:3001', ['content-type'])).status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('refuses to start on an entry that is not an origin, naming the variable', async () => {
    await expect(
      startTestServer({}, { env: { ...process.env, UNREEL_ALLOWED_ORIGINS: 'http://ok.test,myapp.test/path' } }),
    ).rejects.toThrow(
      'Invalid UNREEL_ALLOWED_ORIGINS: entry 2 "myapp.test/path" must be "*" or an origin such as "https://app.example.com" (no path)',
    );
  });
});

describe('the unreel command on its embedded default', () => {
  it('lets a page on a loopback dev server call it, adds UNREEL_ALLOWED_ORIGINS, and logs a refusal on stdout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-browser-'));
    const server = startChildServer(
      { PORT: '0', UNREEL_CONFIG: '', UNREEL_ALLOWED_ORIGINS: 'http://myapp.test:3000' },
      dir,
    );
    try {
      const { url } = await server.listening;
      for (const origin of [...DEV_ORIGINS, 'http://myapp.test:3000']) {
        const response = await preflight(url, origin, CLIENT_HEADERS);
        expect(response.status, origin).toBe(204);
      }
      const listed = await graphqlPost(url, '{ accounts { name } }', {}, { origin: 'http://myapp.test:3000' });
      expect(JSON.parse(listed.body)).toEqual({ data: { accounts: [{ name: SANDBOX }] } });
      expect((await upgrade(url.replace(/^http/, 'ws'), { origin: DEV_ORIGIN })).status).toBe(101);

      const refused = await preflight(url, 'https://elsewhere.example', ['content-type'], 'child-refusal');
      expect(refused.status).toBe(403);
      // The child writes its log on its own schedule: wait for the line, then check it is the only one.
      const refusalLines = () =>
        server
          .stdout()
          .map((line) => JSON.parse(line) as LogLine)
          .filter((line) => line.requestId === 'child-refusal');
      await expect.poll(() => refusalLines().length).toBe(1);
      expect(refusalLines()[0]).toMatchObject({ msg: 'preflight refused: origin not allowed', reason: 'origin' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
