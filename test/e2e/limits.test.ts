import { parse } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument, DeletionProgressDocument } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { ask, TRANSPORTS, type Caller } from '../support/ask.js';
import { post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { SANDBOX, startTestServer } from '../support/test-server.js';

let server: UnreelServer;
let caller: Caller;

const APP_ORIGIN = 'https://app.example.com';

beforeAll(async () => {
  server = await startTestServer({
    accounts: [
      {
        name: SANDBOX,
        plugin: '@unreel/plugin-sandbox',
        settings: { videoCount: 100, latencyMs: [0, 2], processingRatio: 0, forbiddenRatio: 0 },
      },
      // Held for an hour: its operations stay RUNNING for as long as the test needs them to.
      {
        name: 'held',
        plugin: '@unreel/plugin-sandbox',
        settings: { videoCount: 20, latencyMs: [0, 2] },
        deleteDelay: '1h',
      },
    ],
    server: {
      introspection: false,
      maxRunningOperationsPerTenant: 2,
      maxSubscriptionsPerSocket: 3,
      allowedOrigins: [APP_ORIGIN],
      queryLimits: { maxDepth: 4, maxCost: 300, maxAliases: 3, maxTokens: 150, maxDirectives: 2 },
    },
  });
  caller = { url: server.url, headers: {}, ws: wsClient(server.wsUrl) };
});

afterAll(async () => {
  await caller?.ws.dispose();
  await server?.close();
});

/** Documents that each break exactly one limit, and what the answer must say. */
const overLimit: [string, string, RegExp][] = [
  [
    'depth',
    '{ deletion(id: "x") { items { edges { node { error { code } } } } } }',
    /depth limit of 4 exceeded, found 6/,
  ],
  [
    'cost',
    `{ videos(account: "${SANDBOX}", first: 500) { edges { node { id title status } } } }`,
    /Cost limit of 300 exceeded/,
  ],
  [
    'aliases',
    '{ a: accounts { name } b: accounts { name } c: accounts { name } d: accounts { name } }',
    /Aliases limit of 3 exceeded, found 4/,
  ],
  [
    'directives',
    '{ accounts @skip(if: false) { name @skip(if: false) provider @skip(if: false) } }',
    /Directives limit of 2 exceeded, found 3/,
  ],
  ['tokens', `{ accounts { ${'name '.repeat(160)}} }`, /more tha[nt] 150 tokens/],
  ['introspection', '{ __schema { queryType { name } } }', /introspection has been disabled/],
  // The subgraph SDL is the whole schema too: with introspection off it is refused like __schema.
  ['introspection (_service)', '{ _service { sdl } }', /introspection has been disabled.*"_service"/],
];

describe.each(TRANSPORTS)('document limits over %s', (transport) => {
  it.each(overLimit)(
    'refuses a document over the %s limit before resolving anything',
    async (_limit, query, message) => {
      const answer = await ask(transport, caller, parse(query, { noLocation: true }) as never, {});
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.[0]?.message).toMatch(message);
      expect(answer.errors?.[0]?.extensions?.code).toMatch(/^GRAPHQL_(VALIDATION|PARSE)_FAILED$/);
    },
  );

  it('gives no field suggestions when introspection is off', async () => {
    const answer = await ask(transport, caller, parse('{ acounts { name } }') as never, {});
    expect(answer.errors?.[0]?.message).toBe('Cannot query field "acounts" on type "Query".');
  });

  it('refuses a tenant more running operations than allowed with TOO_MANY_OPERATIONS, and still answers retries', async () => {
    const prefix = `held-${transport}`;
    const accepted: string[] = [];
    let refused: { message: string; extensions?: Record<string, unknown> } | undefined;
    // The limit is per tenant, across both transports: whichever runs second finds the slots already taken.
    for (let index = 0; index < 3 && refused === undefined; index += 1) {
      const answer = await ask(transport, caller, DeleteVideosDocument, {
        input: { ids: [`held:vid-00000${index + 1}`], operationId: `${prefix}-${index}`, wait: false },
      });
      if (answer.errors) refused = answer.errors[0];
      else accepted.push(answer.data?.deleteVideos.id as string);
    }
    expect(refused?.extensions?.code).toBe('TOO_MANY_OPERATIONS');
    expect(refused?.message).toMatch(/at most 2 per tenant/);
    const held = transport === 'http' ? accepted : ['held-http-0'];
    const retry = await ask(transport, caller, DeleteVideosDocument, {
      input: { ids: ['held:vid-000001'], operationId: held[0] as string, wait: false },
    });
    expect(retry.data?.deleteVideos).toMatchObject({ id: held[0], status: 'RUNNING', pending: 1 });
  });
});

describe('HTTP hardening', () => {
  it('refuses batched requests', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ accounts { name } }' }, { query: '{ accounts { name } }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers a subscription sent over HTTP with 400 BAD_REQUEST pointing to the WebSocket, without resolving it', async () => {
    const response = await post(server.url, DeletionProgressDocument, { operationId: 'over-http', after: 0 });
    expect(response).toEqual({
      status: 400,
      errors: [
        {
          message:
            'Subscriptions are served over WebSocket (graphql-transport-ws) at this same URL; over HTTP, send queries and mutations only',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });

  it('blocks requests a browser could send cross-site without a preflight (CSRF prevention)', async () => {
    const simplePost = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ accounts { name } }' }),
    });
    expect(simplePost.status).toBe(400);
    const query = encodeURIComponent('{ accounts { name } }');
    expect((await fetch(`${server.url}?query=${query}`)).status).toBe(400);
    expect(
      (await fetch(`${server.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } })).status,
    ).toBe(200);
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(server.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a body over maxBodyBytes with 413 and JSON, not an HTML page', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ accounts { name } } #${'x'.repeat(1_100_000)}` }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'The request body is larger than 1048576 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 1_048_576 },
        },
      ],
    });
  });
});

describe('WebSocket hardening', () => {
  function upgrade(headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers });
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('error', (error) =>
        error.message.includes('Unexpected server response') ? undefined : reject(error),
      );
    });
  }

  it('accepts the upgrade from allowed origins, its own origin and non-browser clients, and refuses others with 403', async () => {
    const own = server.url.replace(/\/graphql$/, '');
    expect(await upgrade({})).toBe(101);
    expect(await upgrade({ origin: APP_ORIGIN })).toBe(101);
    expect(await upgrade({ origin: own })).toBe(101);
    expect(await upgrade({ origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade({ origin: 'null' })).toBe(403);
  });

  it('bounds the operations one socket may have open, and frees a place when one completes', async () => {
    const client = wsClient(server.wsUrl);
    try {
      // Progress of operations that do not exist yet: each waits, holding its place.
      const waiting = [0, 1, 2].map((index) =>
        collect(client, DeletionProgressDocument, { operationId: `not-yet-${index}`, after: 0 }),
      );
      for (const subscription of waiting) subscription.done.catch(() => undefined);
      const fourth = collect(client, DeletionProgressDocument, { operationId: 'not-yet-3', after: 0 });
      await expect(fourth.done).rejects.toThrow(/TOO_MANY_SUBSCRIPTIONS/);
      // Queries over the socket count too, and are refused the same way.
      await expect(
        ask('websocket', { ...caller, ws: client }, parse('{ accounts { name } }') as never, {}),
      ).resolves.toMatchObject({
        errors: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }],
      });
      waiting[0]?.stop();
      // The socket handles its messages in order: the completion above frees the place before this arrives.
      const answer = await ask('websocket', { ...caller, ws: client }, parse('{ accounts { name } }') as never, {});
      expect(answer).toEqual({ data: { accounts: [{ name: SANDBOX }, { name: 'held' }] } });
      for (const subscription of waiting) subscription.stop();
    } finally {
      await client.dispose();
    }
  });
});
