import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountRegistry } from '@unreel/core';
// Apollo gets graphql from Node (its CommonJS build); the endpoint and the scopes are loaded as Apollo's are, compiled.
import { TenantDirectory } from '../dist/auth/tenant-directory.js';
import { RequestScopes } from '../dist/di/request-scopes.js';
import { HttpRequestScopes } from '../dist/graphql/http-request-scopes.js';
import type { UnreelContext } from '../dist/graphql/context.js';
import { GraphqlEndpoint } from '../dist/http/graphql-endpoint.js';
import { HostPolicy } from '../dist/http/host-policy.js';
import { OriginPolicy } from '../dist/http/origin-policy.js';
import { InvalidRequestLog } from '../dist/logging/invalid-request-log.js';
import { UnreelMetrics } from '../dist/metrics/unreel-metrics.js';

const { buildSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const schema = buildSchema('type Query { hello: String echo(text: String): String } type Mutation { touch: Boolean }');
const MAX_BODY_BYTES = 1_000;

interface Harness {
  url: string;
  /** Scopes opened, by request id, and whether each was disposed. */
  scopes: Map<string, { disposed: boolean }>;
  lines: Record<string, unknown>[];
}

const servers: { http: Server; apollo: ApolloServer<UnreelContext> }[] = [];
afterEach(async () => {
  for (const { http, apollo } of servers.splice(0)) {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await apollo.stop();
  }
});

/**
 * /graphql as unreel serves it (Apollo with CSRF prevention, our guards, scopes and refusal log, no tenants), in front
 * of a tiny schema; whatever the endpoint does not take is answered 404 here.
 */
async function harness(): Promise<Harness> {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  const opened = new Map<string, { disposed: boolean }>();
  const tenants = TenantDirectory.create(undefined, new AccountRegistry([]), {});
  const real = new RequestScopes({ engine: {} as never, config: {} as never, tenants, logger });
  // The real scopes, each told apart by its request id and watched for its disposal.
  const scopes = new HttpRequestScopes({
    open(tenant: string, requestId: string) {
      const state = { disposed: false };
      opened.set(requestId, state);
      const scope = real.open(tenant, requestId);
      const dispose = scope.dispose.bind(scope);
      scope.dispose = async () => {
        state.disposed = true;
        await dispose();
      };
      return scope;
    },
  });
  const apollo = new ApolloServer<UnreelContext>({
    schema,
    csrfPrevention: true,
    plugins: [scopes.plugin],
    rootValue: { hello: () => 'world', echo: ({ text }: { text: string }) => text },
  });
  await apollo.start();
  const endpoint = new GraphqlEndpoint({
    apollo,
    scopes,
    invalidRequests: new InvalidRequestLog(logger),
    origins: new OriginPolicy([], true),
    hosts: new HostPolicy([], true),
    tenants,
    metrics: new UnreelMetrics(),
    logger,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  const http = createServer((request, response) => {
    if (!endpoint.serve(request, response)) {
      response.statusCode = 404;
      response.end();
    }
  });
  servers.push({ http, apollo });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`, scopes: opened, lines };
}

async function post(
  url: string,
  body: BodyInit,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

describe('the GraphQL endpoint', () => {
  it('disposes the scope of a request once it is answered', async () => {
    const { url, scopes } = await harness();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'ok' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(await response.json()).toEqual({ data: { hello: 'world' } });
    expect(scopes.get('ok')).toEqual({ disposed: true });
  });

  it('disposes the scope Apollo made for a GET whose parameters it then refuses, and logs the refusal once', async () => {
    const { url, scopes, lines } = await harness();
    // Past CSRF prevention (the header forces a preflight), so Apollo builds the context before it reads `variables`.
    const response = await fetch(`${url}?query=${encodeURIComponent('{ hello }')}&variables=not-json`, {
      headers: { 'apollo-require-preflight': 'true', 'x-request-id': 'bad-get' },
    });
    expect(response.status).toBe(400);
    expect(scopes.get('bad-get')).toEqual({ disposed: true });
    expect(lines.filter((line) => line.requestId === 'bad-get')).toEqual([
      expect.objectContaining({
        reason: 'invalid',
        msg: 'request refused: The variables search parameter contains invalid JSON.',
        method: 'GET',
        path: '/graphql',
      }),
    ]);
  });

  it('logs a CSRF refusal, for which Apollo builds no context at all', async () => {
    const { url, scopes, lines } = await harness();
    const response = await fetch(`${url}?query=${encodeURIComponent('{ hello }')}`, {
      headers: { 'x-request-id': 'csrf' },
    });
    expect(response.status).toBe(400);
    expect(scopes.has('csrf')).toBe(false);
    expect(lines.filter((line) => line.requestId === 'csrf')).toEqual([
      expect.objectContaining({ reason: 'csrf', method: 'GET' }),
    ]);
  });

  it('writes no refusal line for a request GraphQL refuses once it runs, even as a bad request', async () => {
    const { url, scopes, lines } = await harness();
    // GraphQL's pipeline, not the HTTP layer, refuses a mutation over GET: 405, BAD_REQUEST, after the context.
    const response = await fetch(`${url}?query=${encodeURIComponent('mutation { touch }')}`, {
      headers: { 'apollo-require-preflight': 'true', 'x-request-id': 'get-mutation' },
    });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
      'BAD_REQUEST',
    );
    expect(scopes.get('get-mutation')).toEqual({ disposed: true });
    expect(lines.filter((line) => line.requestId === 'get-mutation')).toEqual([]);
  });

  it('writes no refusal line for a document GraphQL itself refuses', async () => {
    const { url, scopes, lines } = await harness();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'invalid-field' },
      body: JSON.stringify({ query: '{ nope }' }),
    });
    expect(response.status).toBe(400);
    expect(scopes.get('invalid-field')).toEqual({ disposed: true });
    expect(lines.filter((line) => line.requestId === 'invalid-field')).toEqual([]);
  });

  it('reads a JSON body in any UTF charset and inflated as its Content-Encoding says', async () => {
    const { url } = await harness();
    const query = JSON.stringify({ query: 'query($text: String) { echo(text: $text) }', variables: { text: 'héllo' } });
    expect(await post(url, query, { 'content-type': 'application/json; charset=UTF-8' })).toEqual({
      status: 200,
      json: { data: { echo: 'héllo' } },
    });
    expect(
      await post(url, gzipSync(query), { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
    ).toEqual({ status: 200, json: { data: { echo: 'héllo' } } });
  });

  it('refuses a body it cannot read with a GraphQL-shaped error naming what is wrong, and keeps serving', async () => {
    const { url, scopes } = await harness();
    const json = { 'content-type': 'application/json' };
    expect(await post(url, '{"query": "{ hello }"', json)).toEqual({
      status: 400,
      json: { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(await post(url, '"{ hello }"', json)).toMatchObject({
      status: 400,
      json: { errors: [{ extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(await post(url, JSON.stringify({ query: `{ hello } #${'x'.repeat(MAX_BODY_BYTES)}` }), json)).toEqual({
      status: 413,
      json: {
        errors: [
          {
            message: `The request body is larger than ${MAX_BODY_BYTES} bytes`,
            extensions: { code: 'PAYLOAD_TOO_LARGE', maxBodyBytes: MAX_BODY_BYTES },
          },
        ],
      },
    });
    // Inflated past the limit: the limit is on what the body inflates to.
    expect(
      await post(url, gzipSync(JSON.stringify({ query: `{ hello } #${' '.repeat(50 * MAX_BODY_BYTES)}` })), {
        ...json,
        'content-encoding': 'gzip',
      }),
    ).toMatchObject({ status: 413 });
    for (const headers of [
      { 'content-type': 'application/json; charset=latin1' },
      { ...json, 'content-encoding': 'compress' },
    ])
      expect(await post(url, JSON.stringify({ query: '{ hello }' }), headers)).toEqual({
        status: 415,
        json: {
          errors: [{ message: 'The request body must be UTF-8 JSON', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }],
        },
      });
    // None of them reached GraphQL; the server answers the next request as ever.
    expect(scopes.size).toBe(0);
    expect(await post(url, JSON.stringify({ query: '{ hello }' }), json)).toEqual({
      status: 200,
      json: { data: { hello: 'world' } },
    });
  });

  it('leaves a body of another type unread for Apollo to refuse, and a GET that may want GraphiQL to express', async () => {
    const { url, lines } = await harness();
    // A form post: CSRF prevention refuses it, and the refusal is logged.
    const form = await post(url, 'query={ hello }', { 'content-type': 'text/plain', 'x-request-id': 'form' });
    expect(form.status).toBe(400);
    expect(lines.filter((line) => line.requestId === 'form')).toEqual([expect.objectContaining({ reason: 'csrf' })]);
    const page = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    await page.arrayBuffer();
    expect(page.status).toBe(404);
  });
});
