import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  VideoDocument,
  VideosDocument,
} from '@unreel/client';
import { getSandboxLibrary } from '@unreel/plugin-sandbox';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { SANDBOX, startTestServer } from '../support/test-server.js';

let server: UnreelServer;

beforeAll(async () => {
  server = await startTestServer({ server: { maxIdsPerOperation: 5 } });
});
afterAll(() => server.close());

const badInputs: [string, string[], RegExp][] = [
  ['a malformed id', ['sandbox:vid-000001', 'no-colon-here'], /Invalid video id "no-colon-here"/],
  ['an id with whitespace', ['sandbox:vid 1'], /Invalid video id/],
  ['an unknown account', ['sandbox:vid-000001', 'elsewhere:abc'], /Unknown account "elsewhere"/],
  [
    'too many ids',
    ['a', 'b', 'c', 'd', 'e', 'f'].map((suffix) => `sandbox:vid-${suffix}`),
    /Too many ids: 6 given, at most 5/,
  ],
  ['an empty list', [], /at least one video id/],
];

describe('bad input', () => {
  it.each(badInputs)('answers %s with BAD_USER_INPUT over HTTP and journals nothing', async (_name, ids, message) => {
    const operationId = `bad-${ids.length}-${ids[1] ?? ids[0] ?? 'none'}`.replace(/[^A-Za-z0-9._:-]/g, '_');
    const calls = getSandboxLibrary(SANDBOX)?.calls.length;
    const response = await post(server.url, DeleteVideosDocument, { input: { ids, operationId } });
    expect(response.data ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(message);
    const journaled = await data(server.url, DeletionDocument, { id: operationId });
    expect(journaled.deletion).toBeNull();
    expect(getSandboxLibrary(SANDBOX)?.calls.length).toBe(calls);
  });

  it('rejects a malformed operationId and out-of-range paging', async () => {
    const badOperation = await post(server.url, DeleteVideosDocument, {
      input: { ids: ['sandbox:vid-000001'], operationId: 'spaces are bad' },
    });
    expect(badOperation.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'operationId' });
    const tooMany = await post(server.url, VideosDocument, { account: SANDBOX, first: 10_000 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badCursor = await post(server.url, VideosDocument, { account: SANDBOX, first: 2, after: '!!!' });
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badVideo = await post(server.url, VideoDocument, { id: 'nonsense' });
    expect(badVideo.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('gives GraphQL-level errors their codes: validation, parse, variables', async () => {
    expect((await post(server.url, '{ nope }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await post(server.url, '{ accounts ')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const wrongType = await post(server.url, DeleteVideosDocument, {
      input: { ids: 'not-a-list-of-ids', operationId: 5 },
    } as never);
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers the same errors with the same codes over WebSocket', async () => {
    const client = wsClient(server.wsUrl);
    try {
      const malformed = collect(client, DeleteVideosDocument, { input: { ids: ['no-colon-here'] } });
      await malformed.done;
      expect(malformed.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const unknown = collect(client, DeleteVideosDocument, { input: { ids: ['elsewhere:abc'] } });
      await unknown.done;
      expect(unknown.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const wrongVariables = collect(client, DeleteVideosDocument, { input: { ids: 5 } } as never);
      await wrongVariables.done;
      expect(wrongVariables.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      // A scalar that refuses its value (Boolean given "") is the request's fault too, as it is over HTTP.
      const wrongScalar = collect(client, DeleteVideosDocument, {
        input: { ids: ['sandbox:vid-000001'], wait: '' },
      } as never);
      await wrongScalar.done;
      expect(wrongScalar.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const badAfter = collect(client, DeletionProgressDocument, { operationId: 'x', after: -1 });
      await badAfter.done;
      expect(badAfter.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const unparsable = collect(client, { kind: 'Document', definitions: [] } as never, {});
      await expect(unparsable.done).rejects.toThrow(/GRAPHQL_PARSE_FAILED/);
      const unknownField = collect(client, parse('{ nope }') as never, {});
      await expect(unknownField.done).rejects.toThrow(/GRAPHQL_VALIDATION_FAILED/);
      const missingVariable = collect(client, DeletionProgressDocument, {} as never);
      await missingVariable.done;
      expect(missingVariable.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      // The socket survived both: it still answers.
      const fine = collect(client, DeletionProgressDocument, { operationId: 'never-created-but-fine', after: 0 });
      fine.stop();
    } finally {
      await client.dispose();
    }
  });

  it('answers an operationName that names no operation alike over HTTP and WebSocket', async () => {
    const query = 'query First { accounts { name } } query Second { accounts { name } }';
    const client = wsClient(server.wsUrl);
    try {
      for (const request of [{ query, operationName: 'Third' }, { query }]) {
        const http = (await (
          await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(request),
          })
        ).json()) as { errors?: unknown };
        const overWebSocket = await new Promise<unknown>((resolve, reject) => {
          client.subscribe(request, { next: reject, error: resolve, complete: () => reject(new Error('completed')) });
        });
        expect(http.errors).toEqual([
          {
            message: request.operationName
              ? 'Unknown operation named "Third".'
              : 'Must provide operation name if query contains multiple operations.',
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
          },
        ]);
        expect(overWebSocket).toEqual(http.errors);
      }
    } finally {
      await client.dispose();
    }
  });
});
