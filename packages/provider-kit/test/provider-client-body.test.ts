import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError, ProviderUnavailableError, TimeoutError, UnreelProviderError } from '@unreel/provider-spec';
import { createProviderClient } from '../src/index.js';

// The body of an answer is part of the exchange: a timeout or a broken connection while it arrives is the same
// ambiguous, retryable failure as one before the status line, never a raw DOMException or TypeError.

const SECRET = 'sk_live_body_secret_value';
const BODY = JSON.stringify({ videos: ['a', 'b'], padding: 'x'.repeat(200) });
/** Answers held open, so that only the client's own timeout or abort can end them. */
const held = new Set<ServerResponse>();

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://test.invalid').pathname;
  response.writeHead(path === '/error' ? 503 : 200, {
    'content-type': 'application/json',
    'content-length': String(BODY.length),
  });
  if (path.endsWith('/cut')) {
    // The head and a few bytes, then the connection is reset: a body that will never be whole.
    response.write(BODY.slice(0, 8), () => response.socket?.resetAndDestroy());
    return;
  }
  held.add(response);
  response.on('close', () => held.delete(response));
  response.write(BODY.slice(0, 8));
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const response of held) response.destroy();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.fail('the request should have failed'),
    (error: unknown) => error,
  );

/** The platform's fetch, telling when the status line and headers have arrived (the body is then still to come). */
function watchedFetch(): { fetch: typeof globalThis.fetch; answered: Promise<void> } {
  let resolve: () => void = () => undefined;
  const answered = new Promise<void>((done) => (resolve = done));
  return {
    answered,
    fetch: async (input, init) => {
      const response = await globalThis.fetch(input, init);
      resolve();
      return response;
    },
  };
}

describe('createProviderClient: the answer body', () => {
  it('times out a body that stops arriving, within the per-attempt timeout: a retryable TIMEOUT', async () => {
    const client = createProviderClient({ provider: 'test', baseUrl, timeoutMs: 300, secrets: [SECRET] });
    const error = await failureOf(client.request('/held', { method: 'DELETE', signal: AbortSignal.timeout(60_000) }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('bounds the body of an error answer the same way, and still reports the status it had', async () => {
    const client = createProviderClient({ provider: 'test', baseUrl, timeoutMs: 300, readRetryLimit: 0 });
    const error = await failureOf(client.request('/error', { method: 'GET', signal: AbortSignal.timeout(60_000) }));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', status: 503, retryable: true });
  });

  it("stops reading when the host's signal times out mid-body, even after a garbage collection", async () => {
    // ky hands the caller's signal to fetch through an AbortSignal.any() nothing holds once the response is returned:
    // collected, it no longer passes the abort on, and the body would be read for as long as the provider sends it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { fetch, answered } = watchedFetch();
    const client = createProviderClient({ provider: 'test', baseUrl, timeoutMs: 60_000, fetch });
    const host = new AbortController();
    const pending = failureOf(client.request('/held', { method: 'GET', signal: host.signal }));
    await answered;
    // A macrotask later ky has handed the response back and the body is being read.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    host.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const error = await pending;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: true });
  });

  it("passes the host's own abort reason (shutdown) through unchanged, mid-body too", async () => {
    const { fetch, answered } = watchedFetch();
    const client = createProviderClient({ provider: 'test', baseUrl, timeoutMs: 60_000, fetch });
    const host = new AbortController();
    const pending = failureOf(client.request('/held', { method: 'GET', signal: host.signal }));
    await answered;
    await new Promise((resolve) => setImmediate(resolve));
    const shutdown = new Error('shutting down');
    host.abort(shutdown);
    expect(await pending).toBe(shutdown);
  });

  it('makes a connection reset mid-body a retryable NETWORK_ERROR that names no secret', async () => {
    const client = createProviderClient({ provider: 'test', baseUrl, secrets: [SECRET] });
    const error = await failureOf(
      client.request(`/videos/cut`, {
        method: 'DELETE',
        signal: AbortSignal.timeout(60_000),
        searchParams: { token: SECRET },
      }),
    );
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect((error as UnreelProviderError).message).toMatch(/answer .*broke off/);
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain(SECRET);
  });
});
