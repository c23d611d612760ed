import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type FastPixSimulator, type FastPixSimulatorOptions } from '@unreel/plugin-fastpix/simulator';
import { ASSUMED_RATE_LIMIT } from '../simulator/fastpix-simulator.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const SIGNING_SECRET = 'ZmFzdHBpeC10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWI=';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function simulator(options: FastPixSimulatorOptions = {}): Promise<FastPixSimulator> {
  const started = await startSimulator({ videoCount: 5, rateLimit: false, ...options });
  open.push(started);
  return started;
}

async function receiver(answer?: Parameters<typeof startWebhookReceiver>[0]): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(answer);
  // Closed after the simulator, which waits for its deliveries first.
  open.unshift(started);
  return started;
}

function basic(sim: FastPixSimulator, secretKey = sim.credentials.secretKey): string {
  return `Basic ${Buffer.from(`${sim.credentials.accessTokenId}:${secretKey}`).toString('base64')}`;
}

async function call(sim: FastPixSimulator, method: string, path: string, authorization: string | null = basic(sim)) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: authorization === null ? {} : { authorization },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as any),
  };
}

describe('fastpix simulator: library and seeding', () => {
  it('is reproducible from its seed: same seed, same ids and credentials', async () => {
    const [a, b, c] = await Promise.all([simulator({ seed: 7 }), simulator({ seed: 7 }), simulator({ seed: 8 })]);
    expect(a.videoIds).toEqual(b.videoIds);
    expect(a.credentials).toEqual(b.credentials);
    expect(c.videoIds).not.toEqual(a.videoIds);
    for (const id of a.videoIds)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('seeds 50 media by default, a few of them in flight, failed or not deletable by this token', async () => {
    const sim = await simulator({ videoCount: undefined });
    expect(sim.videoIds).toHaveLength(50);
    const media = sim.videoIds.map((id) => sim.library.get(id)!);
    const ready = media.filter((entry) => entry.status === 'Ready' && !entry.forbidden).length;
    expect(ready).toBeGreaterThan(30);
    expect(media.some((entry) => !['Ready', 'Failed'].includes(entry.status))).toBe(true);
    expect(media.some((entry) => entry.status === 'Failed')).toBe(true);
    expect(media.some((entry) => entry.forbidden)).toBe(true);
  });
});

describe('fastpix simulator: authentication', () => {
  it("refuses a request without credentials or with a wrong secret with FastPix's own 401 body", async () => {
    const sim = await simulator();
    const expected = {
      success: false,
      error: {
        code: 403,
        message: 'unauthorized',
        description:
          'This happens because of 1)Miss match between access token and secret key 2)Miss match between access token and workspace 3)No valid Access token provided.',
      },
    };
    for (const authorization of [null, basic(sim, 'wrong-secret'), 'Bearer something']) {
      const answer = await call(sim, 'DELETE', `/on-demand/${sim.videoIds[0]}`, authorization);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(expected);
    }
    expect(sim.stateOf(sim.videoIds[0]!)).toBe('PRESENT');
  });

  it('answers the credentials refusal with 403 when told to (the status its published example carries)', async () => {
    const sim = await simulator({ unauthorizedStatus: 403 });
    const answer = await call(sim, 'GET', `/on-demand/${sim.videoIds[0]}`, basic(sim, 'wrong-secret'));
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toBe('unauthorized');
  });
});

describe('fastpix simulator: GET /on-demand/{mediaId}', () => {
  it('answers { success, data } with the media fields FastPix documents', async () => {
    const sim = await simulator();
    const [media] = sim.addMedia([{ status: 'In Queue', title: 'queued' }]);
    const answer = await call(sim, 'GET', `/on-demand/${media!.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(true);
    expect(answer.body.data).toMatchObject({
      id: media!.id,
      status: 'In Queue',
      title: 'queued',
      workspaceId: sim.library.workspaceId,
    });
    expect(Date.parse(answer.body.data.createdAt)).not.toBeNaN();
    expect(answer.body.data.duration).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(answer.body.data.playbackIds[0].accessPolicy).toBe('public');
  });

  it("answers FastPix's 404 for an unknown media and a 422 naming mediaId for a malformed one", async () => {
    const sim = await simulator();
    const missing = await call(sim, 'GET', `/on-demand/${sim.missingId()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      success: false,
      error: {
        code: 404,
        message: 'media workspace relation not found',
        description: "The requested resource (eg:mediaId) doesn't exist in the workspace",
      },
    });
    const malformed = await call(sim, 'GET', '/on-demand/not-a-uuid');
    expect(malformed.status).toBe(422);
    expect(malformed.body).toEqual({
      success: false,
      error: {
        code: 422,
        message: 'payload validation failed',
        fields: [{ field: 'mediaId', message: 'must be a valid UUID' }],
      },
    });
  });
});

describe('fastpix simulator: GET /on-demand (offset is a 1-based page number)', () => {
  it('serves page `offset` of `limit` media, with totalRecords, currentOffset and offsetCount = pages', async () => {
    const sim = await simulator({ videoCount: 5 });
    const seen: string[] = [];
    for (let offset = 1; offset <= 3; offset += 1) {
      const answer = await call(sim, 'GET', `/on-demand?limit=2&offset=${offset}&orderBy=asc`);
      expect(answer.status).toBe(200);
      expect(answer.body.pagination).toEqual({ totalRecords: 5, currentOffset: offset, offsetCount: 3 });
      seen.push(...answer.body.data.map((media: { id: string }) => media.id));
    }
    expect(seen).toEqual(sim.videoIds);
    const beyond = await call(sim, 'GET', '/on-demand?limit=2&offset=4&orderBy=asc');
    expect(beyond.body.data).toEqual([]);
  });

  it('defaults to limit 10, offset 1, newest first', async () => {
    const sim = await simulator({ videoCount: 12 });
    const answer = await call(sim, 'GET', '/on-demand');
    expect(answer.body.data.map((media: { id: string }) => media.id)).toEqual([...sim.videoIds].reverse().slice(0, 10));
    expect(answer.body.pagination).toEqual({ totalRecords: 12, currentOffset: 1, offsetCount: 2 });
  });

  it('answers 422 naming every bad query parameter', async () => {
    const sim = await simulator();
    const answer = await call(sim, 'GET', '/on-demand?limit=51&offset=0&orderBy=newest');
    expect(answer.status).toBe(422);
    expect(answer.body.error.fields.map((field: { field: string }) => field.field)).toEqual([
      'limit',
      'offset',
      'orderBy',
    ]);
    expect((await call(sim, 'GET', '/on-demand?limit=0')).status).toBe(422);
    expect((await call(sim, 'GET', '/on-demand?limit=abc')).status).toBe(422);
  });
});

describe('fastpix simulator: DELETE /on-demand/{mediaId}', () => {
  it('deletes for good: 200 { success: true }, then 404 for GET and for a second DELETE', async () => {
    const sim = await simulator();
    const id = sim.videoIds[0]!;
    const answer = await call(sim, 'DELETE', `/on-demand/${id}`);
    expect(answer).toMatchObject({ status: 200, body: { success: true } });
    expect(sim.stateOf(id)).toBe('GONE');
    expect((await call(sim, 'GET', `/on-demand/${id}`)).status).toBe(404);
    expect((await call(sim, 'DELETE', `/on-demand/${id}`)).status).toBe(404);
    const listed = await call(sim, 'GET', '/on-demand?limit=50');
    expect(listed.body.data.map((media: { id: string }) => media.id)).not.toContain(id);
    expect(listed.body.pagination.totalRecords).toBe(4);
  });

  it('accepts the upload id as well as the media id, as documented', async () => {
    const sim = await simulator();
    const [media] = sim.addMedia([{ status: 'Ready' }]);
    expect((await call(sim, 'DELETE', `/on-demand/${media!.uploadId}`)).status).toBe(200);
    expect(sim.stateOf(media!.id)).toBe('GONE');
  });

  it("refuses a media this token may not delete with FastPix's 403 body, and keeps it", async () => {
    const sim = await simulator();
    const [media] = sim.addMedia([{ status: 'Ready', forbidden: true }]);
    const answer = await call(sim, 'DELETE', `/on-demand/${media!.id}`);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 403, message: 'forbidden' });
    expect(sim.stateOf(media!.id)).toBe('PRESENT');
  });

  it('deletes a media still processing by default, and refuses it with 409 or 422 when told to', async () => {
    const allowed = await simulator();
    const [processing] = allowed.addMedia([{ status: 'Processing' }]);
    expect((await call(allowed, 'DELETE', `/on-demand/${processing!.id}`)).status).toBe(200);

    for (const status of [409, 422] as const) {
      const refusing = await simulator({ processingDelete: 'refused', processingRefusalStatus: status });
      const media = refusing.addMedia([{ status: 'In Queue' }, { status: 'Failed' }]);
      const refused = await call(refusing, 'DELETE', `/on-demand/${media[0]!.id}`);
      expect(refused.status).toBe(status);
      expect(refused.body.error.code).toBe(status);
      expect(refused.body.error.description).toContain('In Queue');
      expect(refusing.stateOf(media[0]!.id)).toBe('PRESENT');
      // Failed is final, not in flight: it can always go.
      expect((await call(refusing, 'DELETE', `/on-demand/${media[1]!.id}`)).status).toBe(200);
    }
  });

  it('records every call with the media id it carried', async () => {
    const sim = await simulator();
    sim.resetCalls();
    await call(sim, 'DELETE', `/on-demand/${sim.videoIds[1]}`);
    await call(sim, 'GET', '/on-demand?limit=3&offset=2');
    expect(sim.calls().map(({ method, path, status, ids, query }) => ({ method, path, status, ids, query }))).toEqual([
      { method: 'DELETE', path: `/v1/on-demand/${sim.videoIds[1]}`, status: 200, ids: [sim.videoIds[1]], query: {} },
      { method: 'GET', path: '/v1/on-demand', status: 200, ids: [], query: { limit: '3', offset: '2' } },
    ]);
  });

  it('answers 404 for a path outside the API', async () => {
    const sim = await simulator();
    expect((await call(sim, 'GET', '/videos')).status).toBe(404);
    const outside = await fetch(sim.url.replace(/\/v1$/, '/on-demand'), { headers: { authorization: basic(sim) } });
    expect(outside.status).toBe(404);
  });
});

describe('fastpix simulator: throttling and faults', () => {
  it('throttles past its limit with 429, a Retry-After in seconds and the Default-Error body, without acting', async () => {
    // A pinned clock: the window cannot end between these requests, however slow the machine.
    const pinned = Date.now();
    const sim = await simulator({ rateLimit: { limit: 2, windowMs: 60_000 }, now: () => pinned });
    await call(sim, 'GET', '/on-demand');
    await call(sim, 'GET', '/on-demand');
    const answer = await call(sim, 'DELETE', `/on-demand/${sim.videoIds[0]}`);
    expect(answer.status).toBe(429);
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(answer.body).toMatchObject({ success: false, error: { code: 429, message: 'too many requests' } });
    expect(sim.stateOf(sim.videoIds[0]!)).toBe('PRESENT');
  });

  it('leaves Retry-After out when told to', async () => {
    const pinned = Date.now();
    const sim = await simulator({
      rateLimit: { limit: 1, windowMs: 60_000 },
      throttleRetryAfter: false,
      now: () => pinned,
    });
    await call(sim, 'GET', '/on-demand');
    const answer = await call(sim, 'GET', '/on-demand');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  it(`applies the assumed limit (${ASSUMED_RATE_LIMIT.limit} per ${ASSUMED_RATE_LIMIT.windowMs} ms per access token) by default`, async () => {
    // A pinned clock keeps every request in one window, however slow the machine: exactly the limit gets through.
    const pinned = Date.now();
    const sim = await simulator({ rateLimit: undefined, now: () => pinned });
    const answers = await Promise.all(
      Array.from({ length: ASSUMED_RATE_LIMIT.limit * 2 }, () => call(sim, 'GET', '/on-demand?limit=1')),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(ASSUMED_RATE_LIMIT.limit);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(ASSUMED_RATE_LIMIT.limit);
  });

  it('failNext answers throttled or with the chosen 5xx without acting, and skips refused credentials', async () => {
    const sim = await simulator({ faultStatus: 524 });
    const id = sim.videoIds[0]!;
    sim.failNext('throttle', 1);
    sim.failNext('server-error', 1);
    expect((await call(sim, 'DELETE', `/on-demand/${id}`, basic(sim, 'wrong'))).status).toBe(401);
    const throttled = await call(sim, 'DELETE', `/on-demand/${id}`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    const failed = await call(sim, 'DELETE', `/on-demand/${id}`);
    expect(failed.status).toBe(524);
    expect(failed.body.error.code).toBe(524);
    expect(sim.stateOf(id)).toBe('PRESENT');
    expect((await call(sim, 'DELETE', `/on-demand/${id}`)).status).toBe(200);
  });
});

describe('fastpix simulator: webhooks', () => {
  function signature(body: string, key: Buffer): string {
    return createHmac('sha256', key).update(body).digest('base64');
  }

  it('POSTs a signed video.media.deleted (SDK envelope) after each successful delete, and records the answer', async () => {
    const hook = await receiver();
    const sim = await simulator({ webhook: { url: hook.url, secret: SIGNING_SECRET } });
    const [first, second] = sim.videoIds as [string, string];
    await call(sim, 'DELETE', `/on-demand/${first}`);
    await call(sim, 'DELETE', `/on-demand/${second}`);
    await call(sim, 'DELETE', `/on-demand/${second}`); // a 404 confirms nothing
    await sim.webhooksIdle();

    expect(hook.received).toHaveLength(2);
    const bodies = hook.received.map((delivery) => Buffer.from(delivery.rawBody).toString('utf8'));
    for (const [index, delivery] of hook.received.entries()) {
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['fastpix-signature']).toBe(
        signature(bodies[index]!, Buffer.from(SIGNING_SECRET, 'base64')),
      );
    }
    const events = bodies.map((body) => JSON.parse(body));
    expect(events[0]).toMatchObject({
      type: 'video.media.deleted',
      object: { type: 'media', id: first },
      workspace: { id: sim.library.workspaceId },
      data: { id: first },
      attempts: [],
    });
    expect(Date.parse(events[0].createdAt)).not.toBeNaN();
    expect(events[0].id).not.toBe(events[1].id);
    expect(
      sim.webhookDeliveries().map(({ mediaId, status, signed, copy }) => ({ mediaId, status, signed, copy })),
    ).toEqual([
      { mediaId: first, status: 200, signed: true, copy: 1 },
      { mediaId: second, status: 200, signed: true, copy: 1 },
    ]);
  });

  it('sends each delivery twice with webhookDuplicates: same event id, body and signature', async () => {
    const hook = await receiver();
    const sim = await simulator({ webhook: { url: hook.url, secret: SIGNING_SECRET }, webhookDuplicates: true });
    await call(sim, 'DELETE', `/on-demand/${sim.videoIds[0]}`);
    await sim.webhooksIdle();
    expect(hook.received).toHaveLength(2);
    expect(Buffer.from(hook.received[0]!.rawBody).equals(Buffer.from(hook.received[1]!.rawBody))).toBe(true);
    expect(hook.received[0]!.headers['fastpix-signature']).toBe(hook.received[1]!.headers['fastpix-signature']);
    expect(sim.webhookDeliveries().map((delivery) => delivery.copy)).toEqual([1, 2]);
  });

  it('signs with the secret string itself when told to (the variant some receivers use)', async () => {
    const hook = await receiver();
    const sim = await simulator({
      webhook: { url: hook.url, secret: SIGNING_SECRET },
      webhookSigningKey: 'raw-secret',
    });
    await call(sim, 'DELETE', `/on-demand/${sim.videoIds[0]}`);
    await sim.webhooksIdle();
    const body = Buffer.from(hook.received[0]!.rawBody).toString('utf8');
    expect(hook.received[0]!.headers['fastpix-signature']).toBe(signature(body, Buffer.from(SIGNING_SECRET, 'utf8')));
  });

  it('sends the unsigned {} validation probe, and records what the receiver answered, refusals and failures included', async () => {
    const hook = await receiver(() => 401);
    const sim = await simulator({ webhook: { url: hook.url, secret: SIGNING_SECRET } });
    const probe = await sim.sendValidationProbe();
    expect(probe).toMatchObject({ eventId: null, signed: false, body: '{}', status: 401 });
    expect(hook.received[0]!.headers['fastpix-signature']).toBeUndefined();

    const unreachable = await simulator({ webhook: { url: 'http://127.0.0.1:9/unreachable', secret: SIGNING_SECRET } });
    await call(unreachable, 'DELETE', `/on-demand/${unreachable.videoIds[0]}`);
    await unreachable.webhooksIdle();
    expect(unreachable.webhookDeliveries()[0]).toMatchObject({ status: null, error: expect.any(String) });
  });

  it('refuses sendValidationProbe without a webhook target', async () => {
    const sim = await simulator();
    await expect(sim.sendValidationProbe()).rejects.toThrow(/needs the webhook option/);
  });
});
