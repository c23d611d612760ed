import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFaultProxy, type FaultProxy, type FaultRule } from '@unreel/provider-testkit/fault-proxy';

/** What reached the upstream: each request it served is one the "provider" acted on. */
interface Served {
  method: string;
  url: string;
  body: string;
  headers: IncomingHttpHeaders;
}

const ANSWER = JSON.stringify({ message: 'deleted', ids: ['a', 'b', 'c'], padding: 'x'.repeat(40) });
let served: Served[] = [];
const upstream = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    served.push({ method: request.method ?? '', url: request.url ?? '', body, headers: request.headers });
    if (request.url?.startsWith('/base/empty')) {
      response.writeHead(204, { 'x-upstream': 'yes' });
      response.end();
      return;
    }
    response.writeHead(request.method === 'POST' ? 201 : 200, {
      'content-type': 'application/json',
      'x-upstream': 'yes',
    });
    response.end(ANSWER);
  });
});
let upstreamUrl: string;
let proxies: FaultProxy[] = [];

async function proxy(rules: FaultRule[] = [], seed?: number): Promise<FaultProxy> {
  const started = await startFaultProxy({ target: upstreamUrl, rules, ...(seed === undefined ? {} : { seed }) });
  proxies.push(started);
  return started;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/base`;
});
afterEach(async () => {
  await Promise.all(proxies.map((running) => running.close()));
  proxies = [];
  served = [];
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

describe('fault proxy: pass-through', () => {
  it("sends the target's Host upstream, or with keepHost the client's own, for clients that sign the host", async () => {
    const plain = await proxy();
    await (await fetch(`${plain.url}/videos`)).text();
    const kept = await startFaultProxy({ target: upstreamUrl, keepHost: true });
    proxies.push(kept);
    await (await fetch(`${kept.url}/videos`)).text();
    expect(served.map((request) => request.headers.host)).toEqual([new URL(upstreamUrl).host, new URL(kept.url).host]);
  });

  it('keeps the target base path and forwards method, path, query, body and headers both ways', async () => {
    const running = await proxy();
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/base$/);
    const response = await fetch(`${running.url}/videos/v1?force=true`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-1', 'content-type': 'application/json' },
      body: JSON.stringify({ uuids: ['v1'] }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.text()).toBe(ANSWER);
    expect(served).toHaveLength(1);
    expect(served[0]).toMatchObject({ method: 'POST', url: '/base/videos/v1?force=true', body: '{"uuids":["v1"]}' });
    expect(served[0]?.headers.authorization).toBe('Bearer token-1');
    expect(running.requests()).toEqual([
      { method: 'POST', path: '/base/videos/v1', fault: 'pass', upstreamStatus: 201, outcome: 'delivered' },
    ]);
    expect(running.counts()).toEqual({ requests: 1, pass: 1, trickle: 0, delay: 0, hold: 0, reset: 0, garbage: 0 });
  });

  it('answers 502 and says so when the upstream cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const running = await startFaultProxy({ target: `http://127.0.0.1:${port}` });
    proxies.push(running);
    const response = await fetch(`${running.url}/anything`);
    expect(response.status).toBe(502);
    await response.text();
    expect(running.requests()[0]).toMatchObject({ upstreamStatus: undefined, outcome: 'upstream-failed' });
  });
});

describe('fault proxy: faults after the upstream acted', () => {
  it('trickles the body a few bytes per tick: the head comes at once, then only the first bytes', async () => {
    // A tick far longer than the test: what the client has read is exactly what the proxy let through.
    const running = await proxy([{ fault: { kind: 'trickle', bytes: 3, everyMs: 600_000 } }]);
    const controller = new AbortController();
    const response = await fetch(`${running.url}/videos`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(ANSWER.length));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? []).toString()).toBe(ANSWER.slice(0, 3));
    expect(served).toHaveLength(1);
    expect(running.requests()[0]).toMatchObject({ fault: 'trickle', upstreamStatus: 200, outcome: 'in-progress' });
    controller.abort();
    await running.idle();
    expect(running.requests()[0]?.outcome).toBe('abandoned');
  });

  it('trickles the whole body intact when the client waits for it', async () => {
    const running = await proxy([{ fault: { kind: 'trickle', bytes: 7, everyMs: 0 } }]);
    const response = await fetch(`${running.url}/videos`);
    expect(await response.text()).toBe(ANSWER);
    await running.idle();
    expect(running.requests()[0]).toMatchObject({ fault: 'trickle', outcome: 'delivered' });
  });

  it('resets the connection after the upstream answered: the client gets no answer, the upstream acted', async () => {
    const running = await proxy([{ method: 'DELETE', fault: { kind: 'reset' } }]);
    const failure = await fetch(`${running.url}/videos/v1`, { method: 'DELETE' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect(served.map((call) => call.method)).toEqual(['DELETE']);
    expect(running.requests()[0]).toMatchObject({ fault: 'reset', upstreamStatus: 200, outcome: 'reset' });
  });

  it('resets mid-body: status and the first bytes arrive, then reading the rest fails', async () => {
    const running = await proxy([{ fault: { kind: 'reset', afterBytes: 10 } }]);
    const response = await fetch(`${running.url}/videos/v1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(ANSWER.length));
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(running.requests()[0]).toMatchObject({ fault: 'reset', outcome: 'reset' });
  });

  it('holds the answer back after the upstream acted, and sends it whole when the delay ends', async () => {
    const running = await proxy([
      { path: '/base/slow', fault: { kind: 'delay', ms: 600_000 } },
      { path: '/base/brief', fault: { kind: 'delay', ms: 1 } },
    ]);
    const controller = new AbortController();
    const slow = fetch(`${running.url}/slow`, { signal: controller.signal }).catch((error: unknown) => error);
    // The provider has acted while the client still waits for any byte of the answer.
    await vi.waitFor(() => expect(running.requests()[0]?.upstreamStatus).toBe(200));
    expect(running.requests()[0]?.outcome).toBe('in-progress');
    controller.abort();
    expect(await slow).toMatchObject({ name: 'AbortError' });
    const brief = await fetch(`${running.url}/brief`);
    expect(await brief.text()).toBe(ANSWER);
    await running.idle();
    expect(running.requests().map((entry) => [entry.path, entry.outcome])).toEqual([
      ['/base/slow', 'abandoned'],
      ['/base/brief', 'delivered'],
    ]);
  });

  it("holds a request back before the upstream sees it with `on: 'request'`, then forwards it untouched", async () => {
    const running = await proxy([
      { path: '/base/slow', fault: { kind: 'delay', ms: 600_000, on: 'request' } },
      { path: '/base/jittered', fault: { kind: 'delay', ms: 0, jitterMs: 5, on: 'request' } },
    ]);
    const controller = new AbortController();
    const slow = fetch(`${running.url}/slow`, { signal: controller.signal }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(running.requests().map((entry) => entry.path)).toContain('/base/slow'));
    const jittered = await fetch(`${running.url}/jittered`);
    expect(await jittered.text()).toBe(ANSWER);
    // The jittered request was forwarded and answered; the held one has not reached the provider, which never acted.
    expect(served.map((request) => request.url)).toEqual(['/base/jittered']);
    expect(running.requests()[0]).toMatchObject({ path: '/base/slow', fault: 'delay', upstreamStatus: undefined });
    controller.abort();
    expect(await slow).toMatchObject({ name: 'AbortError' });
  });

  it('holds answers after the upstream acted until the test releases them, with no timer', async () => {
    const running = await proxy([{ method: 'DELETE', fault: { kind: 'hold' } }]);
    const first = fetch(`${running.url}/held`, { method: 'DELETE' });
    await running.held();
    // The provider has acted; the client has nothing yet, and a request the rule does not take passes meanwhile.
    expect(served.map((entry) => entry.method)).toEqual(['DELETE']);
    expect(running.requests()[0]).toMatchObject({ fault: 'hold', upstreamStatus: 200, outcome: 'in-progress' });
    expect(await (await fetch(`${running.url}/passing`)).text()).toBe(ANSWER);
    running.release();
    expect(await (await first).text()).toBe(ANSWER);
    await running.idle();
    expect(running.counts()).toMatchObject({ requests: 2, hold: 1, pass: 1 });
    expect(running.requests().map((entry) => entry.outcome)).toEqual(['delivered', 'delivered']);
  });

  it('answers garbage, keeping or replacing the status, after the upstream acted', async () => {
    const running = await proxy([
      { path: /\/plain$/, fault: { kind: 'garbage' } },
      { path: /\/html$/, fault: { kind: 'garbage', status: 502, body: '<html>Bad gateway</html>' } },
    ]);
    const plain = await fetch(`${running.url}/plain`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    const text = await plain.text();
    expect(text).not.toBe(ANSWER);
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    const html = await fetch(`${running.url}/html`);
    expect(html.status).toBe(502);
    expect(await html.text()).toBe('<html>Bad gateway</html>');
    expect(served).toHaveLength(2);
    expect(running.counts()).toMatchObject({ requests: 2, garbage: 2 });
  });

  it('sends a bodiless answer whole whatever the fault, except a reset', async () => {
    const running = await proxy([{ fault: { kind: 'trickle', bytes: 1, everyMs: 600_000 } }]);
    const response = await fetch(`${running.url}/empty`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });
});

describe('fault proxy: choosing which requests to fault', () => {
  it('matches by method and path, first rule first, a pass rule exempting what a broader rule would take', async () => {
    const running = await proxy([
      { path: '/base/auth', fault: { kind: 'pass' } },
      { method: ['get', 'HEAD'], path: (path) => path.startsWith('/base/videos/'), fault: { kind: 'garbage' } },
      { fault: { kind: 'delay', ms: 0 } },
    ]);
    for (const [method, path] of [
      ['POST', '/auth'],
      ['GET', '/videos/v1'],
      ['DELETE', '/videos/v1'],
      ['GET', '/list'],
    ] as const) {
      await (await fetch(`${running.url}${path}`, { method })).arrayBuffer();
    }
    expect(running.requests().map((entry) => entry.fault)).toEqual(['pass', 'garbage', 'delay', 'delay']);
    expect(running.counts()).toEqual({ requests: 4, pass: 1, trickle: 0, delay: 2, hold: 0, reset: 0, garbage: 1 });
  });

  it('faults only the first `times` matching requests, and tells how often each rule struck', async () => {
    const running = await proxy();
    const rule = running.add({ method: 'GET', times: 2, fault: { kind: 'garbage' } });
    for (let index = 0; index < 4; index += 1) await (await fetch(`${running.url}/videos`)).arrayBuffer();
    expect(running.requests().map((entry) => entry.fault)).toEqual(['garbage', 'garbage', 'pass', 'pass']);
    expect(rule.applied).toBe(2);
    running.clear();
    running.resetRequests();
    expect(running.requests()).toEqual([]);
  });

  it('strikes by seeded probability: the same seed faults the same requests, another seed others', async () => {
    const pattern = async (seed: number): Promise<string> => {
      const running = await proxy([{ probability: 0.5, fault: { kind: 'garbage' } }], seed);
      for (let index = 0; index < 24; index += 1) await (await fetch(`${running.url}/videos`)).arrayBuffer();
      return running
        .requests()
        .map((entry) => (entry.fault === 'garbage' ? 'x' : '.'))
        .join('');
    };
    const first = await pattern(42);
    expect(await pattern(42)).toBe(first);
    expect(first).toContain('x');
    expect(first).toContain('.');
    expect(await pattern(43)).not.toBe(first);
  });

  it('refuses a plan that cannot be carried out, and a target it cannot proxy', async () => {
    const running = await proxy();
    expect(() => running.add({ fault: { kind: 'trickle', bytes: 0, everyMs: 10 } })).toThrow(RangeError);
    expect(() => running.add({ probability: 2, fault: { kind: 'garbage' } })).toThrow(RangeError);
    expect(() => running.add({ fault: { kind: 'delay', ms: 0, jitterMs: -1 } })).toThrow(/jitterMs >= 0, got -1/);
    expect(() => running.add({ times: -1, fault: { kind: 'reset' } })).toThrow(RangeError);
    await expect(startFaultProxy({ target: 'https://example.com' })).rejects.toThrow(RangeError);
  });
});
