import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  UnauthorizedError,
  UnreelProviderError,
  type VideoProviderV1,
  type WebhookEventV1,
} from '@unreel/provider-spec';
import { vodCallbackSignature } from '../src/aliyun-vod-callback-signature.js';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { deleteFailed, deleteSucceeded, docCallbackExample } from './fixtures/callbacks.js';
import { callOptions } from '@unreel/provider-testkit';
import { createProvider, providerFor } from './aliyun-vod-test-provider.js';

const AUTH_KEY = 'vod-callback-auth-key-0001';

function signedRequest(body: unknown, options: { url: string; key?: string; timestamp?: number }) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    headers: {
      'x-vod-timestamp': timestamp,
      'x-vod-signature': vodCallbackSignature(options.url, timestamp, options.key ?? AUTH_KEY),
    },
    rawBody: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the callback signature', () => {
  it('is md5 hex of url|timestamp|key (the doc example)', () => {
    expect(vodCallbackSignature(docCallbackExample.url, docCallbackExample.timestamp, docCallbackExample.authKey)).toBe(
      docCallbackExample.signature,
    );
  });
});

describe('doParseWebhook', () => {
  const url = 'https://unreel.example.com/webhooks/vod';
  const provider = createProvider({
    accessKeyId: 'id',
    accessKeySecret: 'secret',
    callbackAuthKey: AUTH_KEY,
    callbackUrl: url,
  });
  const parse = (request: ReturnType<typeof signedRequest>) => provider.doParseWebhook!(request);

  it('reads a successful DeleteMediaComplete as a confirmed deletion with a stable event id', () => {
    const event = parse(signedRequest(deleteSucceeded, { url }));
    expect(event).toEqual({
      type: 'video.deletion-confirmed',
      eventId: 'DeleteMediaComplete:1234343b689jsi3ka5422dfe1e47****:2017-03-20T07:49:17Z:success',
      videoId: '1234343b689jsi3ka5422dfe1e47****',
      confirmedAt: new Date('2017-03-20T07:49:17Z'),
      success: true,
    });
    // A re-delivery of the same body, with its own timestamp and signature, is the same event.
    expect(
      (
        parse(signedRequest(deleteSucceeded, { url, timestamp: Math.floor(Date.now() / 1000) - 30 })) as {
          eventId: string;
        }
      ).eventId,
    ).toBe((event as { eventId: string }).eventId);
  });

  it('reads a failed one as success false with the error', () => {
    expect(parse(signedRequest(deleteFailed, { url }))).toMatchObject({
      type: 'video.deletion-confirmed',
      success: false,
      error: { code: 'NOT_FOUND', message: 'InvalidVideo.NotFound: The video does not exist.', retryable: false },
    });
  });

  it('ignores other events and partial deletions', () => {
    expect(parse(signedRequest({ EventType: 'FileUploadComplete', VideoId: 'x' }, { url }))).toMatchObject({
      type: 'ignored',
    });
    expect(parse(signedRequest({ ...deleteSucceeded, DeleteType: 'mezzanine' }, { url }))).toMatchObject({
      type: 'ignored',
    });
    expect(parse(signedRequest({ ...deleteSucceeded, MediaType: 'image' }, { url }))).toMatchObject({
      type: 'ignored',
    });
  });

  it('refuses unsigned, badly signed, stale and future deliveries', () => {
    const good = signedRequest(deleteSucceeded, { url });
    const cases: { name: string; request: ReturnType<typeof signedRequest> }[] = [
      { name: 'unsigned', request: { headers: {} as never, rawBody: good.rawBody } },
      {
        name: 'no signature',
        request: { ...good, headers: { 'x-vod-timestamp': good.headers['x-vod-timestamp'] } as never },
      },
      { name: 'wrong key', request: signedRequest(deleteSucceeded, { url, key: 'another-key' }) },
      { name: 'another url', request: signedRequest(deleteSucceeded, { url: 'https://elsewhere.example.com/hook' }) },
      {
        name: 'stale',
        request: signedRequest(deleteSucceeded, { url, timestamp: Math.floor(Date.now() / 1000) - 600 }),
      },
      {
        name: 'future',
        request: signedRequest(deleteSucceeded, { url, timestamp: Math.floor(Date.now() / 1000) + 600 }),
      },
      {
        name: 'not seconds',
        request: { ...good, headers: { ...good.headers, 'x-vod-timestamp': '2017-03-20T07:49:17Z' } },
      },
    ];
    for (const { name, request } of cases) {
      const error = thrown(() => parse(request));
      expect(UnauthorizedError.isInstance(error), name).toBe(true);
      expect((error as Error).message, name).not.toContain(AUTH_KEY);
    }
  });

  it('refuses every delivery when no callback key is configured', () => {
    const unconfigured = createProvider({ accessKeyId: 'id', accessKeySecret: 'secret' });
    const error = thrown(() => unconfigured.doParseWebhook!(signedRequest(deleteSucceeded, { url })));
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('callbackAuthKey');
  });

  it('answers a signed but unreadable body with INVALID_REQUEST', () => {
    for (const body of [
      'not json',
      '[1,2]',
      JSON.stringify({ ...deleteSucceeded, MediaId: '' }),
      JSON.stringify({ ...deleteSucceeded, Status: 'maybe' }),
    ]) {
      const error = thrown(() => parse(signedRequest(body, { url })));
      expect(UnreelProviderError.isInstance(error) && error.code, body).toBe('INVALID_REQUEST');
    }
  });

  it('accepts the window the settings give', () => {
    const lenient = createProvider({
      accessKeyId: 'id',
      accessKeySecret: 'secret',
      callbackAuthKey: AUTH_KEY,
      callbackUrl: url,
      callbackMaxAgeSeconds: 3_600,
    });
    expect(
      lenient.doParseWebhook!(signedRequest(deleteSucceeded, { url, timestamp: Math.floor(Date.now() / 1000) - 600 })),
    ).toMatchObject({ success: true });
  });
});

/** A receiver like the host's webhook endpoint: verifies with the provider, answers 200 or 401. */
async function startReceiver(provider: () => VideoProviderV1) {
  const events: WebhookEventV1[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
      );
      try {
        events.push(provider().doParseWebhook!({ headers, rawBody: Buffer.concat(chunks) }) as WebhookEventV1);
        response.writeHead(200).end();
      } catch (error) {
        response.writeHead(UnauthorizedError.isInstance(error) ? 401 : 400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vod/callback`;
  return { url, events, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('DeleteMediaComplete delivered by the simulator', () => {
  let provider: VideoProviderV1;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let simulator: AliyunVodSimulator;

  beforeAll(async () => {
    receiver = await startReceiver(() => provider);
    simulator = await startSimulator({
      videoCount: 0,
      rateLimit: false,
      callback: { url: receiver.url, authKey: AUTH_KEY },
    });
    provider = providerFor(simulator, { callbackAuthKey: AUTH_KEY, callbackUrl: receiver.url });
  });
  afterAll(async () => {
    await simulator.close();
    await receiver.close();
  });

  it('posts one signed event per deleted video, none for forbidden or missing ones', async () => {
    const [a, b, forbidden] = await simulator.seed([
      { state: 'READY' },
      { state: 'PROCESSING' },
      { state: 'FORBIDDEN' },
    ]);
    await provider.doDeleteVideos([a!, b!, forbidden!, simulator.missingId()], callOptions());
    await simulator.flushWebhooks();
    expect(simulator.webhookDeliveries().map((delivery) => [delivery.videoId, delivery.status])).toEqual([
      [a, 200],
      [b, 200],
    ]);
    expect(
      receiver.events.map((event) => event.type === 'video.deletion-confirmed' && [event.videoId, event.success]),
    ).toEqual([
      [a, true],
      [b, true],
    ]);
  });

  it('sends each event twice on the duplicate switch, with the same event id', async () => {
    const twice = await startSimulator({
      videoCount: 1,
      rateLimit: false,
      callback: { url: receiver.url, authKey: AUTH_KEY },
      callbackTwice: true,
    });
    try {
      const before = receiver.events.length;
      await providerFor(twice, { callbackAuthKey: AUTH_KEY, callbackUrl: receiver.url }).doDeleteVideos(
        twice.videoIds,
        callOptions(),
      );
      await twice.flushWebhooks();
      expect(twice.webhookDeliveries().map((delivery) => [delivery.copy, delivery.status])).toEqual([
        [1, 200],
        [2, 200],
      ]);
      const ids = receiver.events
        .slice(before)
        .map((event) => (event.type === 'video.deletion-confirmed' ? event.eventId : event.reason));
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
    } finally {
      await twice.close();
    }
  });

  it('retries a refused delivery twice, as VOD does, and records each answer', async () => {
    const wrongKey = await startSimulator({
      videoCount: 1,
      rateLimit: false,
      callback: { url: receiver.url, authKey: 'not-the-configured-key' },
    });
    try {
      await providerFor(wrongKey).doDeleteVideos(wrongKey.videoIds, callOptions());
      await wrongKey.flushWebhooks();
      expect(wrongKey.webhookDeliveries().map((delivery) => [delivery.attempt, delivery.status])).toEqual([
        [1, 401],
        [2, 401],
        [3, 401],
      ]);
      expect(wrongKey.webhookDeliveries()[0]?.headers['X-VOD-TIMESTAMP']).toMatch(/^\d{10}$/);
    } finally {
      await wrongKey.close();
    }
  });
});
