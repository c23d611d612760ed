import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  ProviderUnavailableError,
  RateLimitedError,
  TimeoutError,
  UnauthorizedError,
  UnreelProviderError,
} from '@unreel/provider-spec';
import { basicAuthorization, createProviderClient } from '../src/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

const SECRET = 'sk_live_very_secret_value';
let handler: Handler;
let hits: { method: string; url: string; authorization: string | undefined }[] = [];
let baseUrl: string;
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    hits.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    handler(request, response, body);
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits = [];
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Date on vitest's fake clock, on a whole second (timers and I/O stay real): the server and the client read the same
 * instant, so a wait worked out from an absolute reset time is exact however long the round trip took.
 */
function freezeDate(): void {
  vi.useFakeTimers({ toFake: ['Date'], now: Math.floor(Date.now() / 1_000) * 1_000 });
}

/** A provider that never answers: only a timeout or an abort ends the call, whatever the machine's speed. */
const neverAnswer: Handler = () => undefined;

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const signal = () => AbortSignal.timeout(5_000);

describe('createProviderClient', () => {
  it('sends JSON, static headers and per-attempt authorization, and parses JSON answers', async () => {
    handler = (request, response, body) =>
      json(response, 200, { echo: JSON.parse(body), sig: request.headers['x-sig'] });
    const client = createProviderClient({
      provider: 'test',
      baseUrl: `${baseUrl}/`,
      headers: { authorization: basicAuthorization('key', '') },
      authorize: (request) => request.headers.set('x-sig', `signed:${request.method}`),
    });
    const result = await client.request<{ echo: unknown; sig: string }>('/things', {
      method: 'POST',
      json: { a: 1 },
      signal: signal(),
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ echo: { a: 1 }, sig: 'signed:POST' });
    expect(hits[0]?.authorization).toBe(`Basic ${Buffer.from('key:').toString('base64')}`);
  });

  it('returns allowed non-2xx statuses as data and leaves 204 bodies undefined', async () => {
    handler = (request, response) => {
      if (request.url === '/gone') return json(response, 404, { message: 'nope' });
      response.writeHead(204).end();
    };
    const client = createProviderClient({ provider: 'test', baseUrl });
    await expect(
      client.request('/gone', { method: 'GET', signal: signal(), allowStatus: [404] }),
    ).resolves.toMatchObject({
      status: 404,
      body: { message: 'nope' },
    });
    await expect(client.request('/x', { method: 'DELETE', signal: signal() })).resolves.toMatchObject({
      status: 204,
      body: undefined,
    });
  });

  it('maps statuses to provider-spec errors recognised by marker, never leaking secrets', async () => {
    handler = (request, response) => {
      const status = Number(request.url?.slice(1));
      json(response, status, { message: `bad key ${SECRET}` });
    };
    const client = createProviderClient({ provider: 'test', baseUrl, secrets: [SECRET], readRetryLimit: 0 });
    const cases: [number, (error: unknown) => boolean][] = [
      [401, UnauthorizedError.isInstance],
      [404, NotFoundError.isInstance],
      [400, InvalidRequestError.isInstance],
      [503, ProviderUnavailableError.isInstance],
    ];
    for (const [status, check] of cases) {
      const error = await client.request(`/${status}`, { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
      expect(check(error), `status ${status}`).toBe(true);
      expect(UnreelProviderError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).not.toContain(SECRET);
      expect((error as Error).message).toContain(`test answered ${status}`);
    }
  });

  it('reads retry hints from the headers providers use', async () => {
    freezeDate();
    handler = (request, response) => {
      if (request.url === '/retry-after') return json(response, 429, {}, { 'retry-after': '3' });
      if (request.url === '/apivideo') return json(response, 429, {}, { 'x-ratelimit-retry-after': '7' });
      const reset = Math.floor(Date.now() / 1000) + 20;
      return json(response, 429, {}, { 'x-ratelimit-reset': String(reset) });
    };
    const client = createProviderClient({ provider: 'test', baseUrl, readRetryLimit: 0 });
    const errorOf = (path: string) =>
      client.request(path, { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
    const retryAfter = await errorOf('/retry-after');
    expect(RateLimitedError.isInstance(retryAfter)).toBe(true);
    expect((retryAfter as RateLimitedError).retryable).toBe(true);
    expect((retryAfter as RateLimitedError).retryAfterMs).toBe(3_000);
    expect(((await errorOf('/apivideo')) as RateLimitedError).retryAfterMs).toBe(7_000);
    const epoch = (await errorOf('/epoch')) as RateLimitedError;
    expect(epoch.retryAfterMs).toBe(20_000);
  });

  it('retries reads on 503 but never retries writes', async () => {
    let calls = 0;
    handler = (_request, response) => {
      calls += 1;
      if (calls === 1) return json(response, 503, { message: 'busy' });
      json(response, 200, { ok: true });
    };
    const client = createProviderClient({ provider: 'test', baseUrl, readRetryLimit: 2 });
    await expect(client.request('/read', { method: 'GET', signal: signal() })).resolves.toMatchObject({ status: 200 });
    expect(calls).toBe(2);
    calls = 0;
    const error = await client.request('/write', { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(calls).toBe(1);
  });

  it('does not retry a throttled read itself: it throws RATE_LIMITED with the wait, for the engine to pause the account', async () => {
    freezeDate();
    let calls = 0;
    handler = (_request, response) => {
      calls += 1;
      json(response, 429, {}, { 'x-ratelimit-reset': String(Date.now() + 2_000) });
    };
    const client = createProviderClient({ provider: 'test', baseUrl, readRetryLimit: 2 });
    const error = await client.request('/read', { method: 'GET', signal: signal() }).catch((e: unknown) => e);
    expect(RateLimitedError.isInstance(error)).toBe(true);
    expect(calls).toBe(1);
    // Epoch milliseconds read as such, not as a date thousands of years away capped at the maximum.
    expect((error as RateLimitedError).retryAfterMs).toBe(2_000);
  });

  it('takes a wait only from answers that ask for one, not from rate-limit headers sent on every answer', async () => {
    handler = (_request, response) => json(response, 404, { message: 'nope' }, { 'x-ratelimit-retry-after': '42' });
    const client = createProviderClient({ provider: 'test', baseUrl, readRetryLimit: 0 });
    const error = await client.request('/gone', { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect((error as NotFoundError).retryAfterMs).toBeUndefined();
  });

  it('reads a 503 wait from Retry-After only, never from rate-limit headers sent on every answer', async () => {
    handler = (request, response) =>
      json(response, 503, {}, request.url === '/told' ? { 'retry-after': '2' } : { 'x-ratelimit-retry-after': '42' });
    const client = createProviderClient({ provider: 'test', baseUrl, readRetryLimit: 0 });
    const told = (await client
      .request('/told', { method: 'DELETE', signal: signal() })
      .catch((e: unknown) => e)) as ProviderUnavailableError;
    expect(told.retryAfterMs).toBe(2_000);
    const untold = (await client
      .request('/untold', { method: 'DELETE', signal: signal() })
      .catch((e: unknown) => e)) as ProviderUnavailableError;
    expect(ProviderUnavailableError.isInstance(untold)).toBe(true);
    expect(untold.retryAfterMs).toBeUndefined();
  });

  it('does not retry a read the provider describes as throttled, whatever its status', async () => {
    let calls = 0;
    handler = (_request, response) => {
      calls += 1;
      json(response, 503, { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' });
    };
    const client = createProviderClient({
      provider: 'aliyun',
      baseUrl,
      readRetryLimit: 2,
      describeError: ({ body }) =>
        (body as { Code?: string }).Code?.startsWith('Throttling')
          ? { code: 'RATE_LIMITED', retryable: true }
          : undefined,
    });
    const error = await client.request('/read', { method: 'GET', signal: signal() }).catch((e: unknown) => e);
    expect(RateLimitedError.isInstance(error)).toBe(true);
    expect(calls).toBe(1);
  });

  it('lets authorize replace the request, e.g. to sign its URL, on every attempt', async () => {
    let attempt = 0;
    handler = (request, response) => {
      if (attempt === 1) return json(response, 503, {});
      json(response, 200, { url: request.url });
    };
    const client = createProviderClient({
      provider: 'test',
      baseUrl,
      readRetryLimit: 1,
      authorize: (request) => {
        attempt += 1;
        const url = new URL(request.url);
        url.searchParams.set('Signature', `sig-${attempt}`);
        return new Request(url, request);
      },
    });
    const result = await client.request<{ url: string }>('/signed', {
      method: 'GET',
      signal: signal(),
      searchParams: { a: 1 },
    });
    expect(result.body?.url).toBe('/signed?a=1&Signature=sig-2');
  });

  it('reads secrets given as a function when the error is built, for credentials that change', async () => {
    let token = 'token-one-aaaa';
    handler = (request, response) => json(response, 401, { message: `bad token ${request.headers.authorization}` });
    const client = createProviderClient({
      provider: 'test',
      baseUrl,
      secrets: () => [token],
      authorize: (request) => request.headers.set('authorization', token),
    });
    token = 'token-two-bbbb';
    const error = await client.request('/x', { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('[redacted]');
    expect((error as Error).message).not.toContain(token);
  });

  it('lets a provider describe its own error bodies', async () => {
    handler = (_request, response) => json(response, 400, { Code: 'Throttling.User', Message: 'flow control' });
    const client = createProviderClient({
      provider: 'aliyun',
      baseUrl,
      describeError: ({ body }) => {
        const code = (body as { Code?: string }).Code;
        return code?.startsWith('Throttling') ? { code: 'RATE_LIMITED', retryable: true, message: code } : undefined;
      },
    });
    const error = await client.request('/', { method: 'POST', signal: signal() }).catch((e: unknown) => e);
    expect(RateLimitedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('aliyun answered 400: Throttling.User');
  });

  it('turns a per-attempt timeout into a retryable TimeoutError', async () => {
    handler = neverAnswer;
    const client = createProviderClient({ provider: 'test', baseUrl, timeoutMs: 50, readRetryLimit: 0 });
    const error = await client.request('/slow', { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).retryable).toBe(true);
  });

  it('turns a host timeout signal into TimeoutError and another abort reason into that reason', async () => {
    handler = neverAnswer;
    const client = createProviderClient({ provider: 'test', baseUrl, readRetryLimit: 0 });
    const timedOut = await client
      .request('/slow', { method: 'DELETE', signal: AbortSignal.timeout(30) })
      .catch((e: unknown) => e);
    expect(TimeoutError.isInstance(timedOut)).toBe(true);
    const controller = new AbortController();
    const shutdown = new Error('shutting down');
    setTimeout(() => controller.abort(shutdown), 30);
    await expect(client.request('/slow', { method: 'DELETE', signal: controller.signal })).rejects.toBe(shutdown);
  });

  it('reports an unreachable provider as a retryable NetworkError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = createProviderClient({ provider: 'test', baseUrl: `http://127.0.0.1:${port}`, readRetryLimit: 0 });
    const error = await client.request('/', { method: 'DELETE', signal: signal() }).catch((e: unknown) => e);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect((error as NetworkError).retryable).toBe(true);
  });

  it('keeps signed queries and secrets out of transport errors and their causes', async () => {
    handler = neverAnswer;
    const client = createProviderClient({
      provider: 'test',
      baseUrl,
      timeoutMs: 50,
      readRetryLimit: 0,
      secrets: [SECRET],
    });
    const error = (await client
      .request('/slow', { method: 'GET', signal: signal(), searchParams: { Signature: 'c2lnbmF0dXJl', token: SECRET } })
      .catch((e: unknown) => e)) as TimeoutError;
    expect(TimeoutError.isInstance(error)).toBe(true);
    const shown = `${error.message} ${error.stack} ${String(error.cause)} ${(error.cause as Error).stack} ${JSON.stringify(error)}`;
    expect(shown).not.toContain('c2lnbmF0dXJl');
    expect(shown).not.toContain(SECRET);
  });
});
