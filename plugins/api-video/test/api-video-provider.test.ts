import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger, callOptions, errorText, providerRejection } from '@unreel/provider-testkit';
import type { UnreelProviderError, VideoProviderV1 } from '@unreel/provider-spec';
import plugin, { apiVideoSettingsSchema, type ApiVideoSettingsInput } from '@unreel/plugin-api-video';
import { API_VIDEO_HOSTS } from '../src/api-video-settings.js';
import {
  startSimulator,
  type ApiVideoSimulator,
  type ApiVideoSimulatorOptions,
} from '@unreel/plugin-api-video/simulator';
import { DAY_MS, ManualClock } from './manual-clock.js';
import { raw } from './simulator-http.js';

const running: ApiVideoSimulator[] = [];

async function simulator(options: ApiVideoSimulatorOptions = {}): Promise<ApiVideoSimulator> {
  const started = await startSimulator({ videoCount: 5, ...options });
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

function create(sim: ApiVideoSimulator, settings: Partial<ApiVideoSettingsInput> = {}, fetch = globalThis.fetch) {
  const logger = new CapturingLogger();
  const provider = plugin.create(
    apiVideoSettingsSchema.parse({ apiKey: sim.credentials.apiKey, baseUrl: sim.url, ...settings }),
    {
      account: 'test',
      fetch,
      logger,
    },
  );
  return { provider, logger };
}

function requests(sim: ApiVideoSimulator): string[] {
  return sim.calls().map((call) => `${call.method} ${call.path}`);
}

describe('api-video settings', () => {
  it('defaults to production, Basic auth, permanent deletion', () => {
    expect(apiVideoSettingsSchema.parse({ apiKey: 'key-1234' })).toEqual({
      apiKey: 'key-1234',
      environment: 'production',
      auth: 'basic',
      videoRestore: false,
      timeoutMs: 10_000,
      tokenRefreshMarginSeconds: 60,
    });
    expect(plugin.secretSettings).toEqual(['apiKey']);
  });

  it('refuses bad settings with an error naming the field', () => {
    const issues = (input: unknown) => {
      const result = apiVideoSettingsSchema.safeParse(input);
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(issues({})).toEqual([expect.stringMatching(/^apiKey: /)]);
    expect(issues({ apiKey: '' })).toEqual(['apiKey: apiKey is required']);
    expect(issues({ apiKey: 'k', environment: 'staging' })).toEqual([expect.stringMatching(/^environment: /)]);
    expect(issues({ apiKey: 'k', baseUrl: 'ftp://example.com' })).toEqual(['baseUrl: baseUrl must be an http(s) URL']);
    expect(issues({ apiKey: 'k', auth: 'oauth' })).toEqual([expect.stringMatching(/^auth: /)]);
    expect(issues({ apiKey: 'k', apikey: 'k' })).toEqual([expect.stringMatching(/apikey/)]);
  });

  it('plans with the documented write limit of the environment, unless overridden', async () => {
    const sim = await simulator();
    expect(create(sim).provider.capabilities).toEqual({ maxBatchSize: 1, restore: false, requestsPerSecond: 200 / 60 });
    expect(create(sim, { environment: 'sandbox' }).provider.capabilities.requestsPerSecond).toBe(40 / 60);
    expect(create(sim, { requestsPerSecond: 1.5 }).provider.capabilities.requestsPerSecond).toBe(1.5);
  });

  it('offers restore for 90 days exactly when the account has Video Restore', async () => {
    const sim = await simulator();
    const without = create(sim).provider;
    expect(without.capabilities.restore).toBe(false);
    expect(without.doRestoreVideo).toBeUndefined();
    const withRestore = create(sim, { videoRestore: true }).provider;
    expect(withRestore.capabilities.restore).toEqual({ windowDays: 90 });
    expect(typeof withRestore.doRestoreVideo).toBe('function');
  });

  it('talks to the environment host when no baseUrl is set', async () => {
    const sim = await simulator();
    const [id] = sim.videoIds as [string];
    // A transport that forwards to the simulator over real HTTP, as a proxy would, after noting where the plugin aimed.
    const aimedAt: string[] = [];
    const forward = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      aimedAt.push(request.url);
      const url = request.url.replace(API_VIDEO_HOSTS.sandbox, sim.url);
      return globalThis.fetch(url, { method: request.method, headers: request.headers });
    };
    const logger = new CapturingLogger();
    const provider = plugin.create(
      apiVideoSettingsSchema.parse({ apiKey: sim.credentials.apiKey, environment: 'sandbox' }),
      { account: 'test', fetch: forward, logger },
    );
    const [video] = await provider.doGetVideos([id], callOptions());
    expect(video?.id).toBe(id);
    expect(aimedAt).toEqual([
      `https://sandbox.api.video/videos/${id}`,
      `https://sandbox.api.video/videos/${id}/status`,
    ]);
  });
});

describe('api-video doDeleteVideos', () => {
  it('deletes for good without Video Restore', async () => {
    const sim = await simulator();
    const { provider } = create(sim);
    const [id] = sim.videoIds as [string];
    expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'DELETED', restorableUntil: null }]);
    expect(sim.stateOf(id)).toBe('GONE');
    expect(requests(sim)).toEqual([`DELETE /videos/${id}`]);
  });

  it('discards with Video Restore, restorable for 90 days', async () => {
    const sim = await simulator({ videoRestore: true });
    const { provider } = create(sim, { videoRestore: true });
    const [id] = sim.videoIds as [string];
    const before = Date.now();
    const [outcome] = await provider.doDeleteVideos([id], callOptions());
    const after = Date.now();
    expect(outcome?.status).toBe('DELETED');
    const until = (outcome as { restorableUntil: Date }).restorableUntil.getTime();
    expect(until).toBeGreaterThanOrEqual(before + 90 * DAY_MS);
    expect(until).toBeLessThanOrEqual(after + 90 * DAY_MS);
    expect(sim.stateOf(id)).toBe('SOFT_DELETED');
  });

  it('reads a second delete of a discarded video as NOT_FOUND (404) or DELETED (204), per the switch', async () => {
    const strict = await simulator({ videoRestore: true });
    const strictProvider = create(strict, { videoRestore: true }).provider;
    await strictProvider.doDeleteVideos([strict.videoIds[0]!], callOptions());
    expect(await strictProvider.doDeleteVideos([strict.videoIds[0]!], callOptions())).toEqual([
      { status: 'NOT_FOUND' },
    ]);
    const lenient = await simulator({ videoRestore: true, deleteDiscarded: '204' });
    const lenientProvider = create(lenient, { videoRestore: true }).provider;
    await lenientProvider.doDeleteVideos([lenient.videoIds[0]!], callOptions());
    expect((await lenientProvider.doDeleteVideos([lenient.videoIds[0]!], callOptions()))[0]?.status).toBe('DELETED');
  });

  it('reports a refused delete of a video being ingested as IN_PROCESSING (deleteIngesting: "refused")', async () => {
    const sim = await simulator({ deleteIngesting: 'refused' });
    const { provider } = create(sim);
    const [id] = (await sim.seed([{ state: 'PROCESSING' }])) as [string];
    sim.setPhase(id, 'ingesting');
    const [outcome] = await provider.doDeleteVideos([id], callOptions());
    expect(outcome).toEqual({
      status: 'FAILED',
      error: {
        code: 'IN_PROCESSING',
        retryable: true,
        transient: false,
        message: expect.stringContaining('being ingested'),
      },
    });
    expect(sim.stateOf(id)).toBe('PRESENT');
  });

  it('takes one id per call, as its capabilities say', async () => {
    const sim = await simulator();
    const { provider } = create(sim);
    expect(await provider.doDeleteVideos([], callOptions())).toEqual([]);
    const error = await providerRejection(provider.doDeleteVideos(sim.videoIds.slice(0, 2), callOptions()));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(/one video per call/);
    expect((await providerRejection(provider.doDeleteVideos([' '], callOptions()))).code).toBe('INVALID_REQUEST');
    expect(sim.calls()).toHaveLength(0);
  });

  it('carries retryAfterMs from X-RateLimit-Retry-After when the write budget is spent', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now, rateLimit: { limit: 1, windowMs: 60_000 } });
    const { provider } = create(sim);
    const [first, second] = sim.videoIds as [string, string];
    await provider.doDeleteVideos([first], callOptions());
    const error = await providerRejection(provider.doDeleteVideos([second], callOptions()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(45_000);
    expect(error.message).toBe('api-video answered 429: Too many requests.');
    expect(sim.stateOf(second)).toBe('PRESENT');
  });

  it('keeps no retry hint on a 5xx or a 401, although X-RateLimit-Retry-After is on every answer', async () => {
    const sim = await simulator();
    const { provider } = create(sim);
    const [id] = sim.videoIds as [string];
    sim.failNext('server-error', 1);
    const rawAnswer = await raw(sim, 'GET', '/videos');
    expect(rawAnswer.status).toBe(500);
    expect(rawAnswer.headers.get('x-ratelimit-retry-after')).toMatch(/^\d+$/);

    sim.failNext('server-error', 1);
    const serverError = await providerRejection(provider.doDeleteVideos([id], callOptions()));
    expect(serverError.code).toBe('PROVIDER_ERROR');
    expect(serverError.retryable).toBe(true);
    expect(serverError.retryAfterMs).toBeUndefined();
    expect(serverError.message).toBe('api-video answered 500: Server error');

    const wrong = plugin.create(apiVideoSettingsSchema.parse({ apiKey: 'not-the-key-123', baseUrl: sim.url }), {
      account: 'wrong',
      fetch: globalThis.fetch,
      logger: new CapturingLogger(),
    });
    const unauthorized = await providerRejection(wrong.doDeleteVideos([id], callOptions()));
    expect(unauthorized.code).toBe('UNAUTHORIZED');
    expect(unauthorized.retryable).toBe(false);
    expect(unauthorized.retryAfterMs).toBeUndefined();
    expect(`${unauthorized.message}${JSON.stringify(unauthorized)}`).not.toContain('not-the-key-123');
  });

  it('times out as a retryable TIMEOUT', async () => {
    const sim = await simulator({ latencyMs: [400, 400] });
    const { provider } = create(sim, { timeoutMs: 50 });
    const error = await providerRejection(provider.doDeleteVideos([sim.videoIds[0]!], callOptions()));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
  });
});

describe('api-video doGetVideos', () => {
  it('reads the status endpoint for live videos: READY, PROCESSING, FAILED, in order, null for a missing one', async () => {
    const sim = await simulator({ videoCount: 0 });
    const [ready, encoding, uploading, failed] = (await sim.seed([
      { state: 'READY', title: 'ready one' },
      { state: 'PROCESSING' },
      { state: 'PROCESSING' },
      { state: 'READY' },
    ])) as [string, string, string, string];
    sim.setPhase(uploading, 'uploading');
    sim.setPhase(failed, 'failed');
    const missing = sim.missingId();
    const { provider } = create(sim);
    const videos = await provider.doGetVideos([failed, missing, ready, encoding, uploading], callOptions());
    expect(videos.map((video) => video && [video.id, video.status])).toEqual([
      [failed, 'FAILED'],
      null,
      [ready, 'READY'],
      [encoding, 'PROCESSING'],
      [uploading, 'PROCESSING'],
    ]);
    expect(videos[2]).toMatchObject({ title: 'ready one', createdAt: expect.any(Date) });
    // Two reads per live video, one for a missing one when the account has no Video Restore.
    expect(requests(sim).filter((call) => call.includes(missing))).toEqual([`GET /videos/${missing}`]);
    expect(requests(sim).filter((call) => call.includes(ready))).toEqual([
      `GET /videos/${ready}`,
      `GET /videos/${ready}/status`,
    ]);
  });

  it('finds a discarded video in the discarded collection: DELETED, restorable until deletesAt', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ videoRestore: true, now: clock.now });
    const { provider } = create(sim, { videoRestore: true });
    const [id] = sim.videoIds as [string];
    const discardedAt = clock.ms;
    await provider.doDeleteVideos([id], callOptions());
    clock.advance(5 * DAY_MS);
    sim.resetCalls();
    const [video] = await provider.doGetVideos([id], callOptions());
    expect(video).toMatchObject({ id, status: 'DELETED' });
    expect(video?.deletedAt?.getTime()).toBe(discardedAt);
    expect(video?.restorableUntil?.getTime()).toBe(discardedAt + 90 * DAY_MS);
    expect(requests(sim)).toEqual([`GET /videos/${id}`, `GET /discarded/videos/${id}`]);

    clock.advance(90 * DAY_MS);
    expect(await provider.doGetVideos([id], callOptions())).toEqual([null]);
  });

  it('reads a discarded video from GET /videos/{id} when the account answers it there (getDiscarded: "video")', async () => {
    const sim = await simulator({ videoRestore: true, getDiscarded: 'video' });
    const { provider } = create(sim, { videoRestore: true });
    const [id] = sim.videoIds as [string];
    await provider.doDeleteVideos([id], callOptions());
    sim.resetCalls();
    const [video] = await provider.doGetVideos([id], callOptions());
    expect(video?.status).toBe('DELETED');
    expect(video?.restorableUntil).toBeInstanceOf(Date);
    expect(requests(sim)).toEqual([`GET /videos/${id}`]);
  });

  it('answers null for a deleted video without Video Restore', async () => {
    const sim = await simulator();
    const { provider } = create(sim);
    const [id] = sim.videoIds as [string];
    await provider.doDeleteVideos([id], callOptions());
    expect(await provider.doGetVideos([id], callOptions())).toEqual([null]);
  });
});

describe('api-video doListVideos', () => {
  async function listAll(provider: VideoProviderV1, limits: number[]): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    let index = 0;
    do {
      const page = await provider.doListVideos!(
        { limit: limits[Math.min(index, limits.length - 1)]!, ...(cursor === undefined ? {} : { cursor }) },
        callOptions(),
      );
      seen.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor ?? undefined;
      index += 1;
    } while (cursor !== undefined && index < 100);
    return seen;
  }

  it('pages through every live video once, oldest first, with pageSize = limit', async () => {
    const sim = await simulator({ videoCount: 16, videoRestore: true });
    const { provider } = create(sim, { videoRestore: true });
    await provider.doDeleteVideos([sim.videoIds[3]!], callOptions());
    sim.resetCalls();
    expect(await listAll(provider, [7])).toEqual(sim.videoIds.filter((_, index) => index !== 3));
    expect(sim.calls().map((call) => call.query)).toEqual(
      [1, 2, 3].map((page) => ({ currentPage: String(page), pageSize: '7', sortBy: 'createdAt', sortOrder: 'asc' })),
    );
  });

  it('reports no status in listings (UNKNOWN): it would cost a status read per video', async () => {
    const sim = await simulator();
    const { provider } = create(sim);
    const page = await provider.doListVideos!({ limit: 2 }, callOptions());
    expect(page.items.map((video) => video.status)).toEqual(['UNKNOWN', 'UNKNOWN']);
    expect(page.items[0]).toMatchObject({
      id: sim.videoIds[0],
      title: expect.any(String),
      createdAt: expect.any(Date),
    });
  });

  it('keeps its place when the limit changes between pages, and caps pages at 100', async () => {
    const sim = await simulator({ videoCount: 23 });
    const { provider } = create(sim);
    expect(await listAll(provider, [7, 5, 3])).toEqual(sim.videoIds);
    sim.resetCalls();
    await provider.doListVideos!({ limit: 500 }, callOptions());
    expect(sim.calls()[0]?.query.pageSize).toBe('100');
  });

  it('declares no list filter and sends none: GET /videos filters on title, tags and metadata only', async () => {
    const sim = await simulator({ videoCount: 30 });
    const { provider } = create(sim);
    expect(provider.capabilities.listFilters).toBeUndefined();
    const filter = { createdBefore: new Date(Date.UTC(2025, 0, 1, 0, 10)), status: ['FAILED' as const] };
    const page = await provider.doListVideos!({ limit: 100, filter }, callOptions());
    // Every live video: the host trims the page to the filter (and needs a lookup for the status, see the README).
    expect(page.items.map((video) => video.id)).toEqual(sim.videoIds);
    expect(sim.calls()[0]?.query).toEqual({ currentPage: '1', pageSize: '100', sortBy: 'createdAt', sortOrder: 'asc' });
  });

  it('shifts: videos deleted from page 1 pull the next ones up, so page 2 starts later and skips them', async () => {
    const sim = await simulator({ videoCount: 300 });
    const { provider } = create(sim);
    const first = await provider.doListVideos!({ limit: 100 }, callOptions());
    expect(first.items.map((video) => video.id)).toEqual(sim.videoIds.slice(0, 100));
    // api.video deletes one video per call: 20 of page 1, as a selection deleting while it lists would.
    for (const id of sim.videoIds.slice(0, 20))
      expect((await provider.doDeleteVideos([id], callOptions()))[0]?.status).toBe('DELETED');
    const second = await provider.doListVideos!({ limit: 100, cursor: first.nextCursor! }, callOptions());
    // currentPage counts in what is left: the 20 videos after page 1 moved onto it, and page 2 passes them by.
    expect(second.items.map((video) => video.id)).toEqual(sim.videoIds.slice(120, 220));
  });

  it('refuses a cursor it did not make', async () => {
    const sim = await simulator();
    const error = await providerRejection(
      create(sim).provider.doListVideos!({ limit: 5, cursor: 'page-2' }, callOptions()),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('cursor');
  });
});

describe('api-video doRestoreVideo', () => {
  it('restores through PATCH /discarded/videos/{id} with {"discarded": false}', async () => {
    const sim = await simulator({ videoRestore: true });
    const { provider } = create(sim, { videoRestore: true });
    const [id] = sim.videoIds as [string];
    await provider.doDeleteVideos([id], callOptions());
    sim.resetCalls();
    // The simulator refuses any other body with the documented 400, so RESTORED proves the body.
    expect(await provider.doRestoreVideo!(id, callOptions())).toEqual({ status: 'RESTORED' });
    expect(requests(sim)).toEqual([`PATCH /discarded/videos/${id}`]);
    expect(sim.stateOf(id)).toBe('PRESENT');
    const [video] = await provider.doGetVideos([id], callOptions());
    expect(video?.status).toBe('READY');
  });

  it('answers NOT_FOUND for a live video, an unknown one, and one purged after 90 days', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ videoRestore: true, now: clock.now });
    const { provider } = create(sim, { videoRestore: true });
    const [live, purged] = sim.videoIds as [string, string];
    expect(await provider.doRestoreVideo!(live, callOptions())).toEqual({ status: 'NOT_FOUND' });
    expect(await provider.doRestoreVideo!(sim.missingId(), callOptions())).toEqual({ status: 'NOT_FOUND' });
    await provider.doDeleteVideos([purged], callOptions());
    clock.advance(90 * DAY_MS);
    expect(await provider.doRestoreVideo!(purged, callOptions())).toEqual({ status: 'NOT_FOUND' });
  });
});

describe('api-video disposable bearer token', () => {
  function authCalls(sim: ApiVideoSimulator): string[] {
    return requests(sim).filter((call) => call.startsWith('POST /auth/'));
  }

  it('asks for one token however many calls need it at once, then reuses it', async () => {
    const sim = await simulator({ latencyMs: [30, 30] });
    const { provider } = create(sim, { auth: 'bearer' });
    const videos = await Promise.all(sim.videoIds.map((id) => provider.doGetVideos([id], callOptions())));
    expect(videos.map(([video]) => video?.id)).toEqual(sim.videoIds);
    await provider.doDeleteVideos([sim.videoIds[0]!], callOptions());
    expect(authCalls(sim)).toEqual(['POST /auth/api-key']);
  });

  it('refreshes a token that is within the margin of its expiry, before using it', async () => {
    // Tokens that live 30 s are already inside a 60 s margin: every later request must renew first.
    const sim = await simulator({ tokenTtlSeconds: 30 });
    const { provider } = create(sim, { auth: 'bearer' });
    for (const id of sim.videoIds.slice(0, 3)) await provider.doDeleteVideos([id], callOptions());
    expect(authCalls(sim)).toEqual(['POST /auth/api-key', 'POST /auth/refresh', 'POST /auth/refresh']);
    // The one-hour default with a one-minute margin is not renewed.
    const steady = await simulator();
    const steadyProvider = create(steady, { auth: 'bearer' }).provider;
    for (const id of steady.videoIds.slice(0, 3)) await steadyProvider.doDeleteVideos([id], callOptions());
    expect(authCalls(steady)).toEqual(['POST /auth/api-key']);
  });

  it('falls back to the API key when the refresh is refused', async () => {
    const sim = await simulator({ tokenTtlSeconds: 30 });
    const { provider } = create(sim, { auth: 'bearer' });
    await provider.doDeleteVideos([sim.videoIds[0]!], callOptions());
    sim.revokeTokens();
    expect(await provider.doDeleteVideos([sim.videoIds[1]!], callOptions())).toEqual([
      { status: 'DELETED', restorableUntil: null },
    ]);
    expect(authCalls(sim)).toEqual(['POST /auth/api-key', 'POST /auth/refresh', 'POST /auth/api-key']);
  });

  it('on a 401 with a cached token, drops it: the next attempt gets a fresh token and succeeds', async () => {
    const sim = await simulator();
    const { provider } = create(sim, { auth: 'bearer' });
    const [first, second] = sim.videoIds as [string, string];
    await provider.doGetVideos([first], callOptions());
    sim.revokeTokens();
    const error = await providerRejection(provider.doDeleteVideos([second], callOptions()));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.retryable).toBe(true);
    expect(sim.stateOf(second)).toBe('PRESENT');
    expect(await provider.doDeleteVideos([second], callOptions())).toEqual([
      { status: 'DELETED', restorableUntil: null },
    ]);
    expect(authCalls(sim)).toEqual(['POST /auth/api-key', 'POST /auth/api-key']);
  });

  it('treats a refused API key as a final UNAUTHORIZED', async () => {
    const sim = await simulator();
    const provider = plugin.create(
      apiVideoSettingsSchema.parse({ apiKey: 'not-the-key-123', baseUrl: sim.url, auth: 'bearer' }),
      {
        account: 'wrong',
        fetch: globalThis.fetch,
        logger: new CapturingLogger(),
      },
    );
    const error = await providerRejection(provider.doDeleteVideos([sim.videoIds[0]!], callOptions()));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false, status: 400 });
    expect(error.message).toBe('api-video refused the API key: The user credentials were incorrect.');
    expect(requests(sim)).toEqual(['POST /auth/api-key']);
  });

  it('lets an aborted caller leave while the shared token request serves the others', async () => {
    const sim = await simulator({ latencyMs: [150, 150] });
    const { provider } = create(sim, { auth: 'bearer' });
    const controller = new AbortController();
    const aborted = provider.doGetVideos([sim.videoIds[0]!], callOptions({ signal: controller.signal }));
    const patient = provider.doGetVideos([sim.videoIds[1]!], callOptions());
    setTimeout(() => controller.abort(new Error('host shutting down')), 20);
    await expect(aborted).rejects.toThrow('host shutting down');
    expect((await patient)[0]?.id).toBe(sim.videoIds[1]);
    expect(authCalls(sim)).toEqual(['POST /auth/api-key']);

    const preAborted = new AbortController();
    preAborted.abort(new Error('already stopped'));
    await expect(
      create(sim, { auth: 'bearer' }).provider.doDeleteVideos(
        [sim.videoIds[2]!],
        callOptions({ signal: preAborted.signal }),
      ),
    ).rejects.toThrow('already stopped');
    expect(sim.stateOf(sim.videoIds[2]!)).toBe('PRESENT');
  });

  it('never shows a token or the key in an error or a log line, even when api.video quotes them back', async () => {
    const errors: UnreelProviderError[] = [];
    // Short-lived tokens: obtained, refreshed, a refresh refused (its refusal quoting the refresh token).
    const renewing = await simulator({ tokenTtlSeconds: 30, echoCredentials: true });
    const first = create(renewing, { auth: 'bearer' });
    await first.provider.doGetVideos([renewing.videoIds[0]!], callOptions());
    renewing.failNext('throttle', 1);
    errors.push(await providerRejection(first.provider.doDeleteVideos([renewing.videoIds[1]!], callOptions())));
    renewing.revokeTokens();
    await first.provider.doGetVideos([renewing.videoIds[0]!], callOptions());
    // One-hour tokens: a cached one refused with a 401.
    const revoking = await simulator({ echoCredentials: true });
    const second = create(revoking, { auth: 'bearer' });
    await second.provider.doGetVideos([revoking.videoIds[0]!], callOptions());
    revoking.revokeTokens();
    errors.push(await providerRejection(second.provider.doDeleteVideos([revoking.videoIds[1]!], callOptions())));
    revoking.failNext('server-error', 1);
    errors.push(await providerRejection(second.provider.doDeleteVideos([revoking.videoIds[1]!], callOptions())));
    // A token dead on arrival: the 401 that quotes it is an error the client builds, with the tokens of that moment.
    const expiring = await simulator({ tokenTtlSeconds: 0, echoCredentials: true });
    const third = create(expiring, { auth: 'bearer' });
    errors.push(await providerRejection(third.provider.doDeleteVideos([expiring.videoIds[0]!], callOptions())));
    // A wrong key refused by /auth/api-key, the refusal quoting it.
    const wrongKey = 'not-the-key-but-long-enough';
    const fourth = create(expiring, { auth: 'bearer', apiKey: wrongKey });
    errors.push(await providerRejection(fourth.provider.doDeleteVideos([expiring.videoIds[0]!], callOptions())));

    expect(errors.map((error) => error.code)).toEqual([
      'RATE_LIMITED',
      'UNAUTHORIZED',
      'PROVIDER_ERROR',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
    ]);
    expect(errors[3]?.message).toContain('Refused credential: Bearer [redacted]');
    expect(errors[4]?.message).toContain('api-video refused the API key');
    expect(errors[4]?.message).toContain('Refused credential: [redacted]');
    const lines = [...first.logger.lines, ...second.logger.lines, ...third.logger.lines, ...fourth.logger.lines];
    expect(lines.some((line) => line.includes('bearer token obtained'))).toBe(true);
    expect(lines.some((line) => line.includes('bearer token refreshed'))).toBe(true);
    expect(
      lines.some(
        (line) => line.includes('refused the token refresh') && line.includes('Refused credential: [redacted]'),
      ),
    ).toBe(true);
    const secrets = [
      ...[renewing, revoking, expiring].flatMap((sim) => [sim.credentials.apiKey, ...sim.issuedTokens()]),
      wrongKey,
      Buffer.from(`${wrongKey}:`).toString('base64'),
    ];
    expect(secrets.length).toBeGreaterThan(10);
    const shown = [...lines, ...errors.map(errorText)];
    for (const text of shown) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  });
});
