import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CapturingLogger, callOptions, providerRejection } from '@unreel/provider-testkit';
import { InvalidRequestError, isAmbiguousFailure, type VideoProviderV1 } from '@unreel/provider-spec';
import fastpix, { fastpixSettingsSchema, type FastPixSettingsInput } from '@unreel/plugin-fastpix';
import { FASTPIX_BASE_URL, FASTPIX_LEGACY_BASE_URL } from '../src/fastpix-settings.js';
import { startSimulator, type FastPixSimulator, type FastPixSimulatorOptions } from '@unreel/plugin-fastpix/simulator';

const open: FastPixSimulator[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function simulator(options: FastPixSimulatorOptions = {}): Promise<FastPixSimulator> {
  const sim = await startSimulator({ videoCount: 5, rateLimit: false, ...options });
  open.push(sim);
  return sim;
}

function providerFor(
  sim: FastPixSimulator,
  overrides: Partial<FastPixSettingsInput> = {},
  logger = new CapturingLogger(),
): VideoProviderV1 {
  const settings = fastpixSettingsSchema.parse({
    baseUrl: sim.url,
    ...sim.credentials,
    readRetryLimit: 0,
    ...overrides,
  });
  return fastpix.create(settings, { account: 'fastpix-test', fetch: globalThis.fetch, logger });
}

describe('fastpix settings', () => {
  it('defaults to api.fastpix.com (the host SDK 2.0.6 moved to) and keeps api.fastpix.io as a documented variant', () => {
    const settings = fastpixSettingsSchema.parse({ accessTokenId: 'token', secretKey: 'secret' });
    expect(settings.baseUrl).toBe('https://api.fastpix.com/v1');
    expect(FASTPIX_BASE_URL).toBe('https://api.fastpix.com/v1');
    expect(FASTPIX_LEGACY_BASE_URL).toBe('https://api.fastpix.io/v1');
    expect(
      fastpixSettingsSchema.parse({ accessTokenId: 't', secretKey: 's', baseUrl: FASTPIX_LEGACY_BASE_URL }).baseUrl,
    ).toBe(FASTPIX_LEGACY_BASE_URL);
    expect(settings).toMatchObject({ timeoutMs: 10_000, readRetryLimit: 2 });
    expect(settings.requestsPerSecond).toBeUndefined();
  });

  it('refuses bad settings naming the field', () => {
    const cases: [unknown, string][] = [
      [{ secretKey: 's' }, 'accessTokenId'],
      [{ accessTokenId: 't', secretKey: '' }, 'secretKey'],
      [{ accessTokenId: 't', secretKey: 's', baseUrl: 'ftp://api.fastpix.com/v1' }, 'baseUrl'],
      [{ accessTokenId: 't', secretKey: 's', webhookSecret: '' }, 'webhookSecret'],
      [{ accessTokenId: 't', secretKey: 's', apiKey: 'x' }, 'apiKey'],
    ];
    for (const [input, field] of cases) {
      const result = fastpixSettingsSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toContain(field);
    }
  });

  it('marks every credential secret', () => {
    expect(fastpix.secretSettings).toEqual(['accessTokenId', 'secretKey', 'webhookSecret']);
  });
});

describe('fastpix capabilities', () => {
  it('deletes one media per call, permanently, with no restore and no documented rate', async () => {
    const provider = providerFor(await simulator());
    expect(provider.capabilities).toEqual({ maxBatchSize: 1, restore: false });
    expect(provider.doRestoreVideo).toBeUndefined();
    expect(provider.doParseWebhook).toBeTypeOf('function');
  });

  it('declares the requestsPerSecond the operator sets', async () => {
    const provider = providerFor(await simulator(), { requestsPerSecond: 5 });
    expect(provider.capabilities.requestsPerSecond).toBe(5);
  });
});

describe('fastpix doDeleteVideos', () => {
  it('sends DELETE /on-demand/{mediaId} and reads 200 { success: true } as a permanent deletion', async () => {
    const sim = await simulator();
    const provider = providerFor(sim);
    const id = sim.videoIds[0]!;
    sim.resetCalls();
    expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'DELETED', restorableUntil: null }]);
    expect(sim.calls().map(({ method, path, ids }) => ({ method, path, ids }))).toEqual([
      { method: 'DELETE', path: `/v1/on-demand/${id}`, ids: [id] },
    ]);
    expect(sim.stateOf(id)).toBe('GONE');
    expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'NOT_FOUND' }]);
  });

  it('works against a base URL with a trailing slash, as the SDK writes it', async () => {
    const sim = await simulator();
    const provider = providerFor(sim, { baseUrl: `${sim.url}/` });
    expect(await provider.doDeleteVideos([sim.videoIds[0]!], callOptions())).toEqual([
      { status: 'DELETED', restorableUntil: null },
    ]);
  });

  it('refuses anything but exactly one id, without a request', async () => {
    const sim = await simulator();
    const provider = providerFor(sim);
    sim.resetCalls();
    for (const ids of [[], sim.videoIds.slice(0, 2)]) {
      const error = await providerRejection(provider.doDeleteVideos(ids, callOptions()));
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect(error.message).toContain('one media per request');
    }
    expect(sim.calls()).toHaveLength(0);
  });

  it('reports a 403 as FORBIDDEN for that media, saying why, and keeps it', async () => {
    const sim = await simulator();
    const [media] = sim.addMedia([{ status: 'Ready', forbidden: true }]);
    const [outcome] = await providerFor(sim).doDeleteVideos([media!.id], callOptions());
    expect(outcome).toEqual({
      status: 'FAILED',
      error: {
        code: 'FORBIDDEN',
        message: expect.stringContaining(`delete media ${media!.id}`),
        retryable: false,
      },
    });
    expect(outcome?.status === 'FAILED' && outcome.error.message).toContain(
      'fastpix answered 403: forbidden: The Access token does not have permissions',
    );
    expect(sim.stateOf(media!.id)).toBe('PRESENT');
  });

  it('reports a refused delete of a media still processing as IN_PROCESSING, whether FastPix says 409 or 422', async () => {
    for (const processingRefusalStatus of [409, 422] as const) {
      const sim = await simulator({ processingDelete: 'refused', processingRefusalStatus });
      const [media] = sim.addMedia([{ status: 'Downloading' }]);
      const [outcome] = await providerFor(sim).doDeleteVideos([media!.id], callOptions());
      expect(outcome?.status).toBe('FAILED');
      if (outcome?.status !== 'FAILED') return;
      expect(outcome.error).toMatchObject({ code: 'IN_PROCESSING', retryable: true, transient: false });
      expect(outcome.error.message).toContain(`Media ${media!.id} is still processing`);
      expect(outcome.error.message).toContain(`fastpix answered ${processingRefusalStatus}`);
      expect(outcome.error.message).toContain('Downloading');
      expect(sim.stateOf(media!.id)).toBe('PRESENT');
    }
  });

  it('reports a 422 about the request itself as INVALID_REQUEST naming the field', async () => {
    const sim = await simulator();
    const [outcome] = await providerFor(sim).doDeleteVideos(['not-a-media-id'], callOptions());
    expect(outcome).toEqual({
      status: 'FAILED',
      error: {
        code: 'INVALID_REQUEST',
        message:
          'FastPix refused the request to delete media not-a-media-id (fastpix answered 422: payload validation failed (mediaId must be a valid UUID))',
        retryable: false,
      },
    });
  });

  it('throws UNAUTHORIZED for refused credentials, whether FastPix answers 401 or 403 "unauthorized"', async () => {
    for (const unauthorizedStatus of [401, 403] as const) {
      const sim = await simulator({ unauthorizedStatus });
      const provider = providerFor(sim, { secretKey: 'wrong-secret-key' });
      for (const call of [
        provider.doDeleteVideos([sim.videoIds[0]!], callOptions()),
        provider.doGetVideos([sim.videoIds[0]!], callOptions()),
      ]) {
        const error = await providerRejection(call);
        expect(error.code).toBe('UNAUTHORIZED');
        expect(error.retryable).toBe(false);
        expect(error.status).toBe(unauthorizedStatus);
        expect(error.message).toContain('unauthorized');
        expect(error.message).not.toContain('wrong-secret-key');
      }
      expect(sim.stateOf(sim.videoIds[0]!)).toBe('PRESENT');
    }
  });

  it('throws a retryable RATE_LIMITED with the Retry-After FastPix sent, or without one when it sent none', async () => {
    // A pinned clock: the window cannot end between these requests, however slow the machine.
    const pinned = Date.now();
    const sim = await simulator({ rateLimit: { limit: 1, windowMs: 60_000 }, now: () => pinned });
    const provider = providerFor(sim);
    await provider.doGetVideos([sim.videoIds[0]!], callOptions());
    const error = await providerRejection(provider.doDeleteVideos([sim.videoIds[1]!], callOptions()));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, status: 429 });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(error.retryAfterMs! % 1000).toBe(0);
    expect(error.message).toContain('too many requests');

    const silent = await simulator({ throttleRetryAfter: false });
    silent.failNext('throttle', 1);
    const unsaid = await providerRejection(providerFor(silent).doDeleteVideos([silent.videoIds[0]!], callOptions()));
    expect(unsaid).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(unsaid.retryAfterMs).toBeUndefined();
    expect(silent.stateOf(silent.videoIds[0]!)).toBe('PRESENT');
  });

  it("throws retryable errors for 408, 5xx and Cloudflare's 524, in one request per call", async () => {
    const expected = {
      408: 'TIMEOUT',
      500: 'PROVIDER_ERROR',
      502: 'PROVIDER_ERROR',
      503: 'PROVIDER_ERROR',
      504: 'PROVIDER_ERROR',
      524: 'PROVIDER_ERROR',
    } as const;
    for (const [status, code] of Object.entries(expected)) {
      const sim = await simulator({ faultStatus: Number(status) as keyof typeof expected });
      sim.failNext('server-error', 1);
      sim.resetCalls();
      const error = await providerRejection(providerFor(sim).doDeleteVideos([sim.videoIds[0]!], callOptions()));
      expect(error).toMatchObject({ code, retryable: true, status: Number(status) });
      expect(isAmbiguousFailure(error)).toBe(true);
      expect(sim.calls()).toHaveLength(1);
      expect(sim.stateOf(sim.videoIds[0]!)).toBe('PRESENT');
    }
  });

  it('throws a retryable, ambiguous TIMEOUT when FastPix is slower than timeoutMs', async () => {
    const sim = await simulator({ latencyMs: [600, 600] });
    const provider = providerFor(sim, { timeoutMs: 150 });
    const id = sim.videoIds[0]!;
    const error = await providerRejection(provider.doDeleteVideos([id], callOptions()));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(isAmbiguousFailure(error)).toBe(true);
    // FastPix acted after all: the next attempt sees NOT_FOUND, which the host then counts as this deletion.
    await vi.waitFor(() => expect(sim.stateOf(id)).toBe('GONE'), { timeout: 5_000 });
    expect(await providerFor(sim).doDeleteVideos([id], callOptions())).toEqual([{ status: 'NOT_FOUND' }]);
  });
});

describe('fastpix doGetVideos', () => {
  let sim: FastPixSimulator;
  let provider: VideoProviderV1;
  beforeAll(async () => {
    sim = await startSimulator({ videoCount: 0, rateLimit: false });
    provider = providerFor(sim);
  });
  afterAll(async () => sim.close());

  it('maps every documented status exactly, and anything else to UNKNOWN', async () => {
    const table = {
      Created: 'PROCESSING',
      Downloading: 'PROCESSING',
      Downloaded: 'PROCESSING',
      Validating: 'PROCESSING',
      'In Queue': 'PROCESSING',
      Processing: 'PROCESSING',
      Ready: 'READY',
      Failed: 'FAILED',
      // Not documented: an open enum gets no guesses, near misses included.
      Archived: 'UNKNOWN',
      ready: 'UNKNOWN',
      InQueue: 'UNKNOWN',
      preparing: 'UNKNOWN',
    } as const;
    const media = sim.addMedia(Object.keys(table).map((status) => ({ status })));
    const videos = await provider.doGetVideos(
      media.map((entry) => entry.id),
      callOptions(),
    );
    expect(videos.map((video) => video?.status)).toEqual(Object.values(table));
  });

  it('answers one entry per id in order, null for a missing or malformed id, one GET each', async () => {
    const [ready, queued] = sim.addMedia([
      { status: 'Ready', title: 'Keynote 2025' },
      { status: 'In Queue', title: 'Queued upload' },
    ]);
    const missing = sim.missingId();
    sim.resetCalls();
    const videos = await provider.doGetVideos([queued!.id, missing, 'not-a-uuid', ready!.id], callOptions());
    expect(videos).toEqual([
      {
        id: queued!.id,
        title: 'Queued upload',
        status: 'PROCESSING',
        createdAt: queued!.createdAt,
        deletedAt: null,
        restorableUntil: null,
      },
      null,
      null,
      {
        id: ready!.id,
        title: 'Keynote 2025',
        status: 'READY',
        createdAt: ready!.createdAt,
        deletedAt: null,
        restorableUntil: null,
      },
    ]);
    expect(sim.calls().map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      `GET /v1/on-demand/${queued!.id} 200`,
      `GET /v1/on-demand/${missing} 404`,
      'GET /v1/on-demand/not-a-uuid 422',
      `GET /v1/on-demand/${ready!.id} 200`,
    ]);
  });

  it('retries a lookup inside the call when readRetryLimit allows (reads only)', async () => {
    const [media] = sim.addMedia([{ status: 'Ready' }]);
    sim.failNext('server-error', 1);
    sim.resetCalls();
    const [video] = await providerFor(sim, { readRetryLimit: 1 }).doGetVideos([media!.id], callOptions());
    expect(video?.id).toBe(media!.id);
    expect(sim.calls().map((call) => call.status)).toEqual([500, 200]);
  });
});

describe('fastpix doListVideos', () => {
  async function listAll(provider: VideoProviderV1, limits: number[]): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    let turn = 0;
    do {
      const limit = limits[Math.min(turn, limits.length - 1)]!;
      const page = await provider.doListVideos!({ limit, ...(cursor === undefined ? {} : { cursor }) }, callOptions());
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor ?? undefined;
      turn += 1;
    } while (cursor !== undefined && turn < 100);
    expect(cursor).toBeUndefined();
    return seen;
  }

  it('pages oldest first with offset as the page number, and ends on the last page', async () => {
    const sim = await simulator({ videoCount: 17 });
    sim.resetCalls();
    expect(await listAll(providerFor(sim), [7])).toEqual(sim.videoIds);
    expect(sim.calls().map((call) => call.query)).toEqual([
      { limit: '7', offset: '1', orderBy: 'asc' },
      { limit: '7', offset: '2', orderBy: 'asc' },
      { limit: '7', offset: '3', orderBy: 'asc' },
    ]);
  });

  it('lists every media exactly once when the caller changes limit between pages', async () => {
    const sim = await simulator({ videoCount: 23 });
    expect(await listAll(providerFor(sim), [3, 5, 4, 50])).toEqual(sim.videoIds);
  });

  it("asks for at most 50, FastPix's largest page", async () => {
    const sim = await simulator({ videoCount: 60 });
    sim.resetCalls();
    const page = await providerFor(sim).doListVideos!({ limit: 500 }, callOptions());
    expect(page.items).toHaveLength(50);
    expect(sim.calls()[0]?.query).toEqual({ limit: '50', offset: '1', orderBy: 'asc' });
    expect(page.nextCursor).toBeTypeOf('string');
  });

  it('maps statuses in lists as in lookups, and answers an empty library with one empty page', async () => {
    const sim = await simulator({ videoCount: 0 });
    const provider = providerFor(sim);
    expect(await provider.doListVideos!({ limit: 10 }, callOptions())).toEqual({ items: [], nextCursor: null });
    sim.addMedia([{ status: 'Validating' }, { status: 'Failed' }, { status: 'Deleted?' }]);
    const page = await provider.doListVideos!({ limit: 10 }, callOptions());
    expect(page.items.map((video) => video.status)).toEqual(['PROCESSING', 'FAILED', 'UNKNOWN']);
    expect(page.nextCursor).toBeNull();
  });

  it('declares no list filter and sends none: GET /on-demand has no date or status filter', async () => {
    const sim = await simulator({ videoCount: 12 });
    const provider = providerFor(sim);
    expect(provider.capabilities.listFilters).toBeUndefined();
    sim.resetCalls();
    const page = await provider.doListVideos!(
      { limit: 50, filter: { createdAfter: new Date(), status: ['FAILED'] } },
      callOptions(),
    );
    // Every media: the host trims the page to the filter.
    expect(page.items.map((video) => video.id)).toEqual(sim.videoIds);
    expect(sim.calls()[0]?.query).toEqual({ limit: '50', offset: '1', orderBy: 'asc' });
  });

  it('shifts: media deleted from page 1 pull the next ones up, so page 2 starts later and skips them', async () => {
    const sim = await simulator({ videoCount: 200 });
    const provider = providerFor(sim);
    const first = await provider.doListVideos!({ limit: 50 }, callOptions());
    expect(first.items.map((video) => video.id)).toEqual(sim.videoIds.slice(0, 50));
    // One DELETE per media at FastPix: 10 of page 1, as a selection deleting while it lists would.
    for (const id of sim.videoIds.slice(0, 10))
      expect((await provider.doDeleteVideos([id], callOptions()))[0]?.status).toBe('DELETED');
    const second = await provider.doListVideos!({ limit: 50, cursor: first.nextCursor! }, callOptions());
    // offset is a page number over what is left: the 10 media after page 1 moved onto it, and page 2 passes them by.
    expect(second.items.map((video) => video.id)).toEqual(sim.videoIds.slice(60, 110));
  });

  it('refuses a cursor it did not make', async () => {
    const provider = providerFor(await simulator());
    for (const cursor of ['', '12', 'fastpix:-1', 'fastpix:abc', 'fastpix:99999999999']) {
      const error = await providerRejection(provider.doListVideos!({ limit: 5, cursor }, callOptions()));
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect(error.message).toContain('cursor');
    }
  });
});
