import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ProviderResponseError,
  isAmbiguousFailure,
  type StandardSchemaV1,
  type UnreelProviderError,
} from '@unreel/provider-spec';
import { createProviderClient, parseResponse } from '../src/index.js';

// One meaning for an answer the plugin cannot read, whatever the schema library: INVALID_RESPONSE, retryable and
// ambiguous (the provider answered, so it may have acted).

const SECRET = 'sk_live_parse_secret_value';
const answers: Record<string, { status: number; type: string; body: string }> = {
  '/video': { status: 200, type: 'application/json', body: JSON.stringify({ id: 'v1', title: 'one' }) },
  '/shapeless': { status: 200, type: 'application/json', body: JSON.stringify({ id: 7, extra: SECRET }) },
  '/garbage': { status: 200, type: 'application/json', body: '\u0000<<not json>>{' },
  '/empty': { status: 200, type: 'application/json', body: '' },
  '/missing': { status: 404, type: 'application/json', body: JSON.stringify({ error: 'no such video' }) },
};
const server = createServer((request, response) => {
  const answer = answers[new URL(request.url ?? '/', 'http://test.invalid').pathname];
  if (!answer) return void response.writeHead(500).end();
  response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const videoSchema = z.object({ id: z.string(), title: z.string().nullish() });

/** A Standard Schema written by hand, as valibot or arktype would hand one over: only `~standard` matters. */
const handWritten: StandardSchemaV1<unknown, { id: string }> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate: async (value) =>
      value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string'
        ? { value: { id: (value as { id: string }).id } }
        : { issues: [{ message: 'expected a video with a string id', path: ['id'] }] },
  },
};

const rejection = (promise: Promise<unknown>): Promise<UnreelProviderError> =>
  promise.then(
    () => expect.fail('the request should have failed'),
    (error: unknown) => error as UnreelProviderError,
  );

describe('createProviderClient with a schema', () => {
  const client = () => createProviderClient({ provider: 'acme', baseUrl, secrets: [SECRET] });
  const get = { method: 'GET', signal: AbortSignal.timeout(30_000) } as const;

  it("gives the schema's output for a body of the expected shape", async () => {
    const response = await client().request('/video', { ...get, schema: videoSchema });
    expect(response).toMatchObject({ ok: true, status: 200, body: { id: 'v1', title: 'one' } });
  });

  it('throws a retryable, ambiguous INVALID_RESPONSE for garbage, an empty body and a body of another shape', async () => {
    for (const [path, what] of [
      ['/garbage', 'with a body that is not JSON'],
      ['/empty', 'with an empty body'],
      ['/shapeless', 'with a body of an unexpected shape (body.id: '],
    ] as const) {
      const error = await rejection(client().request(path, { ...get, schema: videoSchema }));
      expect(ProviderResponseError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'INVALID_RESPONSE', retryable: true, status: 200 });
      expect(isAmbiguousFailure(error)).toBe(true);
      expect(error.message).toContain(`acme answered 200 to GET ${path} ${what}`);
      // Never the body: it could hold anything, the provider's echo of a credential included.
      expect(error.message).not.toContain(SECRET);
    }
  });

  it('leaves the body of a status let through by allowStatus unchecked, for the plugin to read', async () => {
    const response = await client().request('/missing', { ...get, allowStatus: [404], schema: videoSchema });
    expect(response).toMatchObject({ ok: false, status: 404, body: { error: 'no such video' } });
  });

  it('takes any Standard Schema, and lists every issue with its path', async () => {
    const response = await client().request('/video', { ...get, schema: handWritten });
    expect(response.body).toEqual({ id: 'v1' });
    const error = await rejection(client().request('/shapeless', { ...get, schema: handWritten }));
    expect(error.message).toBe(
      'acme answered 200 to GET /shapeless with a body of an unexpected shape (body.id: expected a video with a string id)',
    );
    const twoIssues = z.object({ id: z.string(), title: z.string() });
    const both = await rejection(
      parseResponse(twoIssues, { status: 200, body: {} }, { provider: 'acme', request: 'x' }),
    );
    expect(both.message).toMatch(/\(body\.id: .+; body\.title: .+\)$/);
  });
});
