import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger, callOptions, errorText, providerRejection } from '@unreel/provider-testkit';
import {
  InvalidRequestError,
  UnauthorizedError,
  type VideoProviderV1,
  type WebhookEventV1,
  type WebhookRequestV1,
} from '@unreel/provider-spec';
import fastpix from '@unreel/plugin-fastpix';
import { startSimulator, type FastPixSimulator, type FastPixSimulatorOptions } from '@unreel/plugin-fastpix/simulator';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

interface SignatureFixture {
  secret: string;
  body: string;
  signatureWithDecodedSecret: string;
  signatureWithRawSecret: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/fastpix-webhook-signature.json', import.meta.url), 'utf8'),
) as SignatureFixture;
/** The field list of docs.fastpix.io/docs/videomediadeleted (the older envelope), filled in with plausible values. */
const docsEnvelope = readFileSync(
  new URL('./fixtures/video-media-deleted-docs-envelope.json', import.meta.url),
  'utf8',
);

function providerWith(webhookSecret: string | undefined, logger = new CapturingLogger()): VideoProviderV1 {
  const settings = fastpix.settingsSchema['~standard'].validate({
    accessTokenId: 'token-id-for-webhooks',
    secretKey: 'secret-key-for-webhooks',
    ...(webhookSecret === undefined ? {} : { webhookSecret }),
  });
  if (settings instanceof Promise || settings.issues) throw new Error('test settings are invalid');
  return fastpix.create(settings.value, { account: 'webhooks', fetch: globalThis.fetch, logger });
}

function delivery(body: string, signature?: string): WebhookRequestV1 {
  return {
    headers: {
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'fastpix-signature': signature }),
    },
    rawBody: new Uint8Array(Buffer.from(body, 'utf8')),
  };
}

function sign(body: string, secret = fixture.secret): string {
  return createHmac('sha256', Buffer.from(secret, 'base64')).update(body, 'utf8').digest('base64');
}

async function parse(provider: VideoProviderV1, request: WebhookRequestV1): Promise<WebhookEventV1> {
  return provider.doParseWebhook!(request);
}

describe('fastpix doParseWebhook: the §6.4 fixture', () => {
  it('verifies the signature keyed with the base64-decoded secret and confirms the deletion', async () => {
    const before = Date.now();
    const event = await parse(providerWith(fixture.secret), delivery(fixture.body, fixture.signatureWithDecodedSecret));
    expect(event).toMatchObject({
      type: 'video.deletion-confirmed',
      eventId: 'evt-1',
      videoId: 'cfeec1a3-6cbd-40df-a425-2ed7f8f72ced',
      success: true,
    });
    // The fixture carries no event time: the delivery's receipt is the confirmation time.
    const confirmedAt = (event as { confirmedAt: Date }).confirmedAt.getTime();
    expect(confirmedAt).toBeGreaterThanOrEqual(before);
    expect(confirmedAt).toBeLessThanOrEqual(Date.now());
  });

  it('also accepts the signature keyed with the secret string itself, and says so only at debug level', async () => {
    const logger = new CapturingLogger();
    const event = await parse(
      providerWith(fixture.secret, logger),
      delivery(fixture.body, fixture.signatureWithRawSecret),
    );
    expect(event).toMatchObject({ type: 'video.deletion-confirmed', eventId: 'evt-1' });
    expect(logger.lines).toHaveLength(1);
    expect(JSON.parse(logger.lines[0]!)).toMatchObject({ level: 'debug', account: 'webhooks' });
    expect(logger.lines[0]).not.toContain(fixture.secret);
  });

  it("refuses a body changed by one byte, a garbage signature and another secret's signature, showing none of them", async () => {
    const provider = providerWith(fixture.secret);
    const tampered = fixture.body.replace('evt-1', 'evt-2');
    const otherSecret = Buffer.from('another-signing-secret-0123456789').toString('base64');
    for (const request of [
      delivery(tampered, fixture.signatureWithDecodedSecret),
      delivery(fixture.body, 'not base64 at all!'),
      delivery(fixture.body, Buffer.from('too short').toString('base64')),
      delivery(fixture.body, sign(fixture.body, otherSecret)),
      delivery('{}', sign('{"other":true}')),
    ]) {
      const error = await providerRejection(parse(provider, request));
      expect(UnauthorizedError.isInstance(error)).toBe(true);
      expect(error.code).toBe('UNAUTHORIZED');
      const shown = errorText(error);
      for (const secret of [
        fixture.secret,
        fixture.signatureWithDecodedSecret,
        request.headers['fastpix-signature']!,
      ]) {
        expect(shown.includes(secret)).toBe(false);
      }
    }
  });

  it('accepts a header listing several signatures when one of them matches (a secret rotation)', async () => {
    const otherSecret = Buffer.from('the-previous-signing-secret').toString('base64');
    const header = `${sign(fixture.body, otherSecret)}, ${fixture.signatureWithDecodedSecret}`;
    const event = await parse(providerWith(fixture.secret), delivery(fixture.body, header));
    expect(event.type).toBe('video.deletion-confirmed');
  });
});

describe('fastpix doParseWebhook: unsigned deliveries', () => {
  it("answers FastPix's unsigned {} validation probe with ignored, even before a secret is configured", async () => {
    for (const provider of [providerWith(fixture.secret), providerWith(undefined)]) {
      for (const body of ['{}', ' { }\n']) {
        const event = await parse(provider, delivery(body));
        expect(event).toEqual({ type: 'ignored', reason: expect.stringContaining('validation probe') });
      }
    }
  });

  it('refuses any other unsigned delivery, an empty signature header included', async () => {
    const provider = providerWith(fixture.secret);
    for (const request of [
      delivery(fixture.body),
      delivery(fixture.body, ''),
      delivery(fixture.body, '   '),
      delivery('', undefined),
    ]) {
      const error = await providerRejection(parse(provider, request));
      expect(UnauthorizedError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(/no FastPix-Signature/);
    }
  });

  it('refuses signed deliveries when the account has no webhookSecret, saying which setting is missing', async () => {
    const error = await providerRejection(
      parse(providerWith(undefined), delivery(fixture.body, fixture.signatureWithDecodedSecret)),
    );
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect(error.message).toContain('webhookSecret');
  });
});

describe('fastpix doParseWebhook: envelopes and event types', () => {
  const provider = providerWith(fixture.secret);

  it('reads the SDK envelope: top-level id, object.id and createdAt', async () => {
    const body = JSON.stringify({
      type: 'video.media.deleted',
      object: { type: 'media', id: 'b4f3e2d1-0000-4000-8000-000000000001' },
      id: 'e0e1e2e3-0000-4000-8000-000000000009',
      workspace: { id: 'ws-1', name: 'Development' },
      status: 'media_deleted',
      data: { id: 'b4f3e2d1-0000-4000-8000-000000000001', status: 'Ready' },
      createdAt: '2025-01-09T06:44:53.742648Z',
      attempts: [],
    });
    expect(await parse(provider, delivery(body, sign(body)))).toEqual({
      type: 'video.deletion-confirmed',
      eventId: 'e0e1e2e3-0000-4000-8000-000000000009',
      videoId: 'b4f3e2d1-0000-4000-8000-000000000001',
      confirmedAt: new Date('2025-01-09T06:44:53.742Z'),
      success: true,
    });
  });

  it("reads the docs' older envelope (environment, snake_case data, no object): the media id comes from data.id", async () => {
    const event = await parse(provider, delivery(docsEnvelope, sign(docsEnvelope)));
    expect(event).toMatchObject({
      type: 'video.deletion-confirmed',
      eventId: '0d2b7a61-2c1e-4c8f-9d0e-5b6a7c8d9e0f',
      videoId: 'cfeec1a3-6cbd-40df-a425-2ed7f8f72ced',
      success: true,
    });
  });

  it('takes a snake_case created_at as the confirmation time, in epoch seconds, milliseconds or ISO form', async () => {
    const expected = new Date('2025-01-09T06:44:53.000Z');
    for (const createdAt of [expected.getTime() / 1000, expected.getTime(), expected.toISOString()]) {
      const body = JSON.stringify({
        type: 'video.media.deleted',
        id: 'evt-snake',
        created_at: createdAt,
        data: { id: 'media-1' },
      });
      const event = await parse(provider, delivery(body, sign(body)));
      expect(event).toMatchObject({ eventId: 'evt-snake', videoId: 'media-1', confirmedAt: expected });
    }
  });

  it('ignores verified events that are not deletions', async () => {
    for (const type of ['video.media.ready', 'video.media.updated', 'video.live_stream.deleted']) {
      const body = JSON.stringify({ type, id: `evt-${type}`, object: { type: 'media', id: 'media-1' } });
      expect(await parse(provider, delivery(body, sign(body)))).toEqual({
        type: 'ignored',
        reason: `FastPix event ${type} is not a deletion`,
      });
    }
    const signedEmpty = await parse(provider, delivery('{}', sign('{}')));
    expect(signedEmpty.type).toBe('ignored');
  });

  it('answers a verified but unusable body with an INVALID_REQUEST naming what is missing', async () => {
    const cases: [string, RegExp][] = [
      ['not json', /not a JSON object/],
      ['[1,2]', /not a JSON object/],
      [
        JSON.stringify({ type: 'video.media.deleted', object: { type: 'media', id: 'm-1' } }),
        /event id \(top-level "id"\)/,
      ],
      [JSON.stringify({ type: 'video.media.deleted', id: 'evt-9' }), /names no media \("object.id" or "data.id"\)/],
    ];
    for (const [body, message] of cases) {
      const error = await providerRejection(parse(provider, delivery(body, sign(body))));
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(message);
    }
  });
});

describe('fastpix doParseWebhook: deliveries made by the simulator', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close();
  });

  /**
   * A stand-in for the server's `POST /webhooks/:account` (a plugin's tests do not import the server): 401 when
   * doParseWebhook refuses, 400 when it cannot read the delivery, 200 otherwise; events kept by id, as the journal does.
   */
  async function route(provider: VideoProviderV1) {
    const events = new Map<string, WebhookEventV1>();
    const ignored: WebhookEventV1[] = [];
    const hook: WebhookReceiver = await startWebhookReceiver(async (request) => {
      try {
        const event = await provider.doParseWebhook!(request);
        if (event.type === 'video.deletion-confirmed') events.set(event.eventId, event);
        else ignored.push(event);
        return 200;
      } catch (error) {
        return UnauthorizedError.isInstance(error) ? 401 : 400;
      }
    });
    open.unshift(hook);
    return { hook, events, ignored };
  }

  async function simulator(options: FastPixSimulatorOptions): Promise<FastPixSimulator> {
    const sim = await startSimulator({ videoCount: 4, rateLimit: false, ...options });
    open.push(sim);
    return sim;
  }

  function apiProvider(sim: FastPixSimulator, webhookSecret: string): VideoProviderV1 {
    const settings = fastpix.settingsSchema['~standard'].validate({
      baseUrl: sim.url,
      ...sim.credentials,
      webhookSecret,
    });
    if (settings instanceof Promise || settings.issues) throw new Error('test settings are invalid');
    return fastpix.create(settings.value, {
      account: 'webhooks',
      fetch: globalThis.fetch,
      logger: new CapturingLogger(),
    });
  }

  it('confirms each deletion once although every delivery arrives twice', async () => {
    const receiverSide = providerWith(fixture.secret);
    const { hook, events } = await route(receiverSide);
    const sim = await simulator({ webhook: { url: hook.url, secret: fixture.secret }, webhookDuplicates: true });
    const provider = apiProvider(sim, fixture.secret);
    const [first, second] = sim.videoIds as [string, string];
    expect(await provider.doDeleteVideos([first], callOptions())).toEqual([
      { status: 'DELETED', restorableUntil: null },
    ]);
    expect(await provider.doDeleteVideos([second], callOptions())).toEqual([
      { status: 'DELETED', restorableUntil: null },
    ]);
    await sim.webhooksIdle();

    expect(sim.webhookDeliveries().map((entry) => entry.status)).toEqual([200, 200, 200, 200]);
    expect(
      [...events.values()].map((event) => (event.type === 'video.deletion-confirmed' ? event.videoId : null)).sort(),
    ).toEqual([first, second].sort());
    for (const event of events.values()) {
      if (event.type !== 'video.deletion-confirmed') continue;
      const sent = sim.webhookDeliveries().find((entry) => entry.eventId === event.eventId)!;
      expect(event.confirmedAt.toISOString()).toBe(JSON.parse(sent.body).createdAt);
      expect(event.success).toBe(true);
    }
  });

  it('answers the validation probe 200 and a wrongly keyed receiver 401', async () => {
    const good = await route(providerWith(fixture.secret));
    const sim = await simulator({ webhook: { url: good.hook.url, secret: fixture.secret } });
    expect((await sim.sendValidationProbe()).status).toBe(200);
    expect(good.ignored).toEqual([{ type: 'ignored', reason: expect.stringContaining('validation probe') }]);

    const wrong = await route(providerWith(Buffer.from('a different secret').toString('base64')));
    const sim2 = await simulator({ webhook: { url: wrong.hook.url, secret: fixture.secret } });
    await apiProvider(sim2, fixture.secret).doDeleteVideos([sim2.videoIds[0]!], callOptions());
    await sim2.webhooksIdle();
    expect(sim2.webhookDeliveries().map((entry) => entry.status)).toEqual([401]);
    expect(wrong.events.size).toBe(0);
  });

  it('verifies deliveries signed with the raw secret string too', async () => {
    const { hook, events } = await route(providerWith(fixture.secret));
    const sim = await simulator({
      webhook: { url: hook.url, secret: fixture.secret },
      webhookSigningKey: 'raw-secret',
    });
    await apiProvider(sim, fixture.secret).doDeleteVideos([sim.videoIds[0]!], callOptions());
    await sim.webhooksIdle();
    expect(sim.webhookDeliveries().map((entry) => entry.status)).toEqual([200]);
    expect(events.size).toBe(1);
  });
});
