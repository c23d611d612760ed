import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
// Apollo gets graphql from Node (its CommonJS build); the route and the scopes are loaded as Apollo's are, compiled.
import { RequestScopes } from '../dist/di/request-scopes.js';
import { HttpRequestScopes } from '../dist/graphql/http-request-scopes.js';
import type { UnreelContext } from '../dist/graphql/context.js';
import { graphqlRoute } from '../dist/http/graphql-route.js';
import { InvalidRequestLog } from '../dist/logging/invalid-request-log.js';

const { buildSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const schema = buildSchema('type Query { hello: String } type Mutation { touch: Boolean }');

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

/** The /graphql route as unreel mounts it (Apollo with CSRF prevention, our scopes and refusal log), in front of a tiny schema. */
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
  const real = new RequestScopes({
    engine: {} as never,
    config: {} as never,
    tenants: { accountsOf: () => ({}) } as never,
    logger,
  });
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
    rootValue: { hello: () => 'world' },
  });
  await apollo.start();
  const app = express();
  let next = 0;
  app.use(
    '/graphql',
    (request, response, proceed) => {
      const requestId = String(request.headers['x-request-id'] ?? `request-${next++}`);
      response.setHeader('x-request-id', requestId);
      response.locals.unreel = { tenant: 'default', requestId };
      proceed();
    },
    express.json(),
    graphqlRoute(apollo, scopes, new InvalidRequestLog(logger)),
  );
  const http = createServer(app);
  servers.push({ http, apollo });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`, scopes: opened, lines };
}

describe('the GraphQL route', () => {
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
});
