import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  RestoreVideoDocument,
  VideoDocument,
  VideosDocument,
} from '@unreel/client';
import { startChildServer, type ChildServer } from '../support/child-server.js';

/**
 * Property-based: whatever is thrown at a real `unreel` process (malformed and foreign ids, huge lists, unicode,
 * nulls, wrong types, deep, wide and aliased documents, bad JSON, oversized bodies, garbage WebSocket frames), each
 * answer is a clear, coded error without a stack, the process stays up, and the journal does not change.
 */

const ACME_KEY = 'acme-property-key-0123456789';
const BETA_KEY = 'beta-property-key-0123456789';
const OWN = 'acme-sb';
const FOREIGN = 'beta-sb';
const MAX_IDS = 50;
const MAX_BODY = 262_144;
const RUNS = Number(process.env.UNREEL_PROPERTY_RUNS ?? 60);

let server: ChildServer;
let url: string;
let journal: Database.Database;
let before: JournalCounts;

interface JournalCounts {
  operations: number;
  items: number;
  events: number;
}

function countJournal(): JournalCounts {
  return journal
    .prepare(
      'SELECT (SELECT count(*) FROM operations) AS operations, (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM events) AS events',
    )
    .get() as JournalCounts;
}

async function postRaw(
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ACME_KEY}`, ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

function postJson(query: string, variables: unknown): Promise<{ status: number; text: string }> {
  return postRaw(JSON.stringify({ query, variables }));
}

/** A clear answer: JSON, and either data or errors that each say what is wrong, with a code, and nothing internal. */
function expectClearAnswer({ status, text }: { status: number; text: string }, where: string): void {
  expect(status, where).toBeLessThan(500);
  expect(text, where).not.toMatch(/\n\s+at |stacktrace|\.js:\d+:\d+/);
  const body = JSON.parse(text) as {
    data?: unknown;
    errors?: { message?: unknown; extensions?: { code?: unknown } }[];
  };
  if (body.errors === undefined) {
    expect(body.data, where).toBeTypeOf('object');
    return;
  }
  expect(body.errors.length, where).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(error.message, where).toBeTypeOf('string');
    expect((error.message as string).length, where).toBeGreaterThan(0);
    expect(error.extensions?.code, where).toBeTypeOf('string');
    expect(error.extensions?.code, where).not.toBe('INTERNAL_SERVER_ERROR');
  }
}

/** One element that makes an ids list invalid for acme: malformed, foreign, unknown, or of the wrong type. */
const badId: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).filter((text) => !text.startsWith(`${OWN}:`)),
  fc.string({ maxLength: 40 }).filter((text) => !text.startsWith(`${OWN}:`)),
  fc.nat({ max: 999_999 }).map((n) => `${FOREIGN}:vid-${String(n).padStart(6, '0')}`),
  fc
    .stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/)
    .filter((name) => name !== OWN)
    .map((name) => `${name}:vid-000001`),
  fc.constantFrom(' ', '\n', '\u0000', '\t', '\u007f', '\u0085').map((character) => `${OWN}:vid${character}1`),
  fc.integer({ min: 257, max: 2_000 }).map((length) => `${OWN}:${'x'.repeat(length)}`),
  fc.constantFrom(`${OWN}:`, ':vid-000001', '', ':', `${OWN.toUpperCase()}:vid-000001`),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.string(), { maxLength: 3 }),
);

const ownId = fc.nat({ max: 60 }).map((n) => `${OWN}:vid-${String(n + 1).padStart(6, '0')}`);

/** deleteVideos input that can never be valid: at least one bad id, or more ids than allowed, or wrong field types. */
const badDeleteInput: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(fc.array(ownId, { maxLength: 5 }), fc.array(badId, { minLength: 1, maxLength: 3 }), fc.nat())
    .map(([good, bad, seed]) => {
      const ids: unknown[] = [...good];
      bad.forEach((entry, index) => ids.splice((seed + index) % (ids.length + 1), 0, entry));
      return ids;
    })
    .chain((ids) =>
      fc.record(
        {
          ids: fc.constant(ids),
          operationId: fc.oneof(
            fc.constant(undefined),
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.integer(),
            fc.constant(null),
          ),
          wait: fc.oneof(fc.boolean(), fc.constant(null), fc.string({ maxLength: 4 })),
        },
        { requiredKeys: ['ids'] },
      ),
    ),
  fc.integer({ min: MAX_IDS + 1, max: 5_000 }).map((count) => ({
    ids: Array.from({ length: count }, (_, index) => `${OWN}:vid-${String(index + 1).padStart(6, '0')}`),
  })),
  fc.constantFrom<unknown>(
    { ids: [] },
    { ids: null },
    { ids: 'beta-sb:vid-000001' },
    { ids: 'no-colon' },
    {},
    null,
    'input',
    42,
    [],
  ),
  fc.record({
    ids: fc.array(ownId, { minLength: 1, maxLength: 3 }),
    operationId: fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((id) => !/^[A-Za-z0-9._:-]{1,128}$/.test(id)),
  }),
);

/** Arguments of the read and restore entry points that are malformed, foreign, unknown, or of the wrong type. */
const badReadRequest: fc.Arbitrary<{ query: string; variables: unknown }> = fc.oneof(
  fc.record({ query: fc.constant(print(VideoDocument)), variables: fc.record({ id: badId }) }),
  fc.record({ query: fc.constant(print(RestoreVideoDocument)), variables: fc.record({ id: badId }) }),
  fc.record({
    query: fc.constant(print(VideosDocument)),
    variables: fc.record({
      account: fc.oneof(fc.constant(FOREIGN), fc.constant(OWN), badId),
      first: fc.oneof(fc.integer(), fc.constant(null), fc.string()),
      after: fc.oneof(fc.string({ unit: 'binary' }), fc.constant(null), fc.integer()),
    }),
  }),
  fc.record({
    query: fc.constant(print(DeletionDocument)),
    variables: fc.record({
      id: fc.oneof(fc.string({ unit: 'binary' }), badId),
      first: fc.oneof(fc.integer(), fc.constant(null)),
      after: fc.oneof(fc.string({ unit: 'binary' }), fc.constant(null)),
      status: fc.oneof(fc.string(), fc.constant('DELETED'), fc.constant(null)),
    }),
  }),
  fc.record({
    query: fc.constant(print(DeleteVideosDocument)),
    variables: fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.array(fc.anything(), { maxLength: 3 })),
  }),
);

const GRAPHQL_WORDS = [
  '{',
  '}',
  '(',
  ')',
  ':',
  '$',
  '@',
  '...',
  ',',
  '"',
  '[',
  ']',
  '!',
  '=',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'accounts',
  'videos',
  'video',
  'deletion',
  'deleteVideos',
  'restoreVideo',
  'id',
  'name',
  '__typename',
  '__schema',
  'input',
  'ids',
  '#',
  '\\u0000',
  '"""',
  '1e999',
  '-0',
];

/** Documents that do not parse, do not validate, or break a limit: token soup, unicode, deep, wide, aliased, directed. */
const badDocument: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom(...GRAPHQL_WORDS), { maxLength: 200 }).map((words) => words.join(' ')),
  fc
    .integer({ min: 9, max: 300 })
    .map(
      (depth) =>
        `{ ${'deletion(id: "x") { items { edges { node { '.repeat(Math.ceil(depth / 4))}videoId${' } } } }'.repeat(Math.ceil(depth / 4))} }`,
    ),
  fc.integer({ min: 2_001, max: 20_000 }).map((width) => `{ accounts { ${'name '.repeat(width)}} }`),
  fc
    .integer({ min: 16, max: 3_000 })
    .map((count) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: __typename`).join(' ')} }`),
  fc
    .integer({ min: 21, max: 500 })
    .map(
      (count) =>
        `{ ${Array.from({ length: count }, (_, index) => `f${index}: __typename @skip(if: false)`).join(' ')} }`,
    ),
  fc
    .integer({ min: 1, max: 50 })
    .map(
      (count) =>
        `{ ${'videos(account: "acme-sb", first: 500) { edges { node { id title deletion { error { code } } } } } '.repeat(count)}}`,
    ),
);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-properties-'));
  const config = path.join(dir, 'unreel.config.json');
  const sandbox = (name: string, seed: number) => ({
    name,
    plugin: '@unreel/plugin-sandbox',
    settings: { videoCount: 80, seed, latencyMs: [0, 2] },
  });
  writeFileSync(
    config,
    JSON.stringify({
      journal: { driver: 'sqlite', path: 'journal.db' },
      accounts: [sandbox(OWN, 1), sandbox(FOREIGN, 2)],
      tenants: [
        { name: 'acme', apiKeys: ['${ACME_KEY}'], accounts: [OWN] },
        { name: 'beta', apiKeys: ['${BETA_KEY}'], accounts: [FOREIGN] },
      ],
      server: { maxIdsPerOperation: MAX_IDS, maxBodyBytes: MAX_BODY, metrics: { enabled: false } },
    }),
  );
  server = startChildServer({ PORT: '0', UNREEL_CONFIG: config, LOG_LEVEL: 'info', ACME_KEY, BETA_KEY }, dir);
  ({ url } = await server.listening);
  // Something in the journal for both tenants, so "unchanged" means more than "still empty".
  for (const [key, id] of [
    [ACME_KEY, `${OWN}:vid-000070`],
    [BETA_KEY, `${FOREIGN}:vid-000070`],
  ] as const) {
    const seeded = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: print(DeleteVideosDocument),
        variables: { input: { ids: [id], operationId: 'seed' } },
      }),
    });
    expect(seeded.status).toBe(200);
  }
  journal = new Database(path.join(dir, 'journal.db'), { readonly: true, fileMustExist: true });
  before = countJournal();
  expect(before.operations).toBe(2);
}, 30_000);

afterEach(async () => {
  expect(server.child.exitCode).toBeNull();
  expect((await fetch(url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
  const still = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ACME_KEY}` },
    body: JSON.stringify({ query: '{ accounts { name } }' }),
  });
  expect(await still.json()).toEqual({ data: { accounts: [{ name: OWN }] } });
  expect(countJournal()).toEqual(before);
});

afterAll(async () => {
  journal?.close();
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  expect(server?.stderr() ?? '').not.toMatch(/Internal error/);
});

describe('bad input never hurts', () => {
  it('refuses every impossible deleteVideos input with a coded error, over HTTP', async () => {
    await fc.assert(
      fc.asyncProperty(badDeleteInput, async (input) => {
        const answer = await postJson(print(DeleteVideosDocument), { input });
        expectClearAnswer(answer, JSON.stringify(input).slice(0, 300));
        expect(JSON.parse(answer.text).errors, 'an invalid input was accepted').toBeDefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses the same inputs with the same kind of coded error over WebSocket, on one socket that stays open', async () => {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${ACME_KEY}` },
    });
    try {
      await fc.assert(
        fc.asyncProperty(badDeleteInput, async (input) => {
          const errors = await new Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>(
            (resolve, reject) => {
              let found: readonly { message: string; extensions?: Record<string, unknown> }[] = [];
              client.subscribe(
                { query: print(DeleteVideosDocument), variables: { input } as Record<string, unknown> },
                {
                  next: (result) => (found = result.errors ?? []),
                  // An `error` message carries GraphQL errors; a CloseEvent would mean the socket died, which must not happen.
                  error: (error) =>
                    Array.isArray(error)
                      ? resolve(error)
                      : reject(new Error(`socket failed: ${String((error as { code?: number }).code ?? error)}`)),
                  complete: () => resolve(found),
                },
              );
            },
          );
          expect(errors.length, JSON.stringify(input).slice(0, 300)).toBeGreaterThan(0);
          for (const error of errors) {
            expect(error.message.length).toBeGreaterThan(0);
            expect(error.extensions?.code).toBeTypeOf('string');
            expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
            expect(JSON.stringify(error)).not.toMatch(/\n\s+at |stacktrace|\.js:\d+:\d+/);
          }
        }),
        { numRuns: RUNS },
      );
    } finally {
      await client.dispose();
    }
  });

  it('answers malformed, foreign and mistyped arguments of every read and restore with data or a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(badReadRequest, async ({ query, variables }) => {
        expectClearAnswer(await postJson(query, variables), JSON.stringify(variables).slice(0, 300));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses documents that do not parse, do not validate, or break a limit', async () => {
    await fc.assert(
      fc.asyncProperty(badDocument, fc.anything(), async (query, variables) => {
        const answer = await postRaw(JSON.stringify({ query, variables }));
        expectClearAnswer(answer, query.slice(0, 200));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers bodies that are not a GraphQL request, or not JSON at all, with a 4xx JSON error', async () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc
        .record({
          query: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())),
          variables: fc.anything(),
          operationName: fc.anything(),
          extensions: fc.anything(),
        })
        .map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'application/graphql',
          'application/x-www-form-urlencoded',
        ),
        async (payload, contentType) => {
          const answer = await postRaw(payload, { 'content-type': contentType });
          expectClearAnswer(answer, `${contentType}: ${String(payload).slice(0, 200)}`);
          if (JSON.parse(answer.text).errors === undefined)
            throw new Error(`accepted ${String(payload).slice(0, 200)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers oversized bodies with 413 PAYLOAD_TOO_LARGE', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 4 }), async (size) => {
        const answer = await postRaw(JSON.stringify({ query: `{ accounts { name } } #${'x'.repeat(size)}` }));
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.text)).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      }),
      { numRuns: 8 },
    );
  });

  it('survives garbage WebSocket frames: the socket answers or closes with a protocol code, never an internal error', async () => {
    const frame: fc.Arbitrary<string | Uint8Array> = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc
        .record({
          type: fc.constantFrom(
            'subscribe',
            'complete',
            'next',
            'error',
            'connection_init',
            'connection_ack',
            'ping',
            'pong',
            'nope',
          ),
          id: fc.anything(),
          payload: fc.anything(),
        })
        .map((value) => JSON.stringify(value)),
      fc
        .record({
          id: fc.string({ maxLength: 10 }),
          query: fc.oneof(badDocument, fc.constant(print(DeletionProgressDocument))),
          variables: fc.anything(),
        })
        .map(({ id, query, variables }) => JSON.stringify({ type: 'subscribe', id, payload: { query, variables } })),
      fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 2 }).map((size) => 'x'.repeat(size)),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(frame, { minLength: 1, maxLength: 6 }), async (initialise, frames) => {
        const outcome = await throwFrames(initialise, frames);
        // 4400 bad message, 4401 not initialised, 4403 refused, 4409 duplicate id, 4429 repeated init, 1009 too big.
        expect([undefined, 1000, 1009, 4400, 4401, 4403, 4409, 4429], JSON.stringify(frames).slice(0, 300)).toContain(
          outcome,
        );
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Opens a socket, optionally initialises it with acme's key, sends the frames, then a ping. Resolves with the close
 * code if the server closed it, or undefined if it still answered the ping (then we close it).
 */
function throwFrames(initialise: boolean, frames: (string | Uint8Array)[]): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    let settled = false;
    const settle = (code: number | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(code);
    };
    socket.once('error', (error) => (settled ? undefined : reject(error)));
    socket.once('close', (code) => settle(code));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string };
      if (message.type === 'pong') {
        settle(undefined);
        socket.close(1000);
      }
    });
    socket.once('open', () => {
      if (initialise)
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ACME_KEY}` } }));
      for (const frame of frames) socket.send(frame);
      socket.send(JSON.stringify({ type: 'ping' }));
    });
  });
}
