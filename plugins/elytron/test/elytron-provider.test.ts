import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProviderVideoStatus, VideoProviderV1 } from '@unreel/provider-spec';
import { CapturingLogger, callOptions, errorText, providerRejection } from '@unreel/provider-testkit';
import elytron, { elytronSettingsSchema, type ElytronSettingsInput } from '@unreel/plugin-elytron';
import { readElytronError } from '../src/elytron-errors.js';
import { elytronBaseUrl } from '../src/elytron-settings.js';
import { startSimulator, type ElytronSimulator, type ElytronSimulatorOptions } from '@unreel/plugin-elytron/simulator';

const documented = JSON.parse(
  readFileSync(new URL('./fixtures/documented-error-bodies.json', import.meta.url), 'utf8'),
) as {
  nested: Record<string, { status: number; body: unknown }>;
  flatPanel: unknown;
};

function createProvider(settings: ElytronSettingsInput, logger = new CapturingLogger()): VideoProviderV1 {
  return elytron.create(elytronSettingsSchema.parse(settings), { account: 'test', fetch: globalThis.fetch, logger });
}

/** A simulator and a provider pointed at it; closed after the enclosing describe. */
function useSimulator(options: ElytronSimulatorOptions = {}, settings: Partial<ElytronSettingsInput> = {}) {
  const context = {} as { simulator: ElytronSimulator; provider: VideoProviderV1 };
  beforeAll(async () => {
    context.simulator = await startSimulator({ videoCount: 0, rateLimit: false, ...options });
    context.provider = createProvider({
      baseUrl: context.simulator.url,
      apiKey: context.simulator.credentials.apiKey,
      ...settings,
    });
  });
  afterEach(() => context.simulator.resetCalls());
  afterAll(() => context.simulator?.close());
  return context;
}

describe('settings', () => {
  it('defaults to production, the free plan and a 10 s request timeout', () => {
    const settings = elytronSettingsSchema.parse({ apiKey: 'ely_key_1234' });
    expect(settings).toEqual({ apiKey: 'ely_key_1234', environment: 'production', plan: 'free', timeoutMs: 10_000 });
  });

  it('names the field that is wrong', () => {
    const cases: [unknown, string][] = [
      [{}, 'apiKey'],
      [{ apiKey: '' }, 'apiKey'],
      [{ apiKey: 'k-1234', plan: 'gold' }, 'plan'],
      [{ apiKey: 'k-1234', environment: 'staging' }, 'environment'],
      [{ apiKey: 'k-1234', baseUrl: 'ftp://example.com' }, 'baseUrl'],
      [{ apiKey: 'k-1234', timeoutMs: 0 }, 'timeoutMs'],
      [{ apiKey: 'k-1234', apikey: 'typo' }, ''],
    ];
    for (const [input, field] of cases) {
      const result = elytronSettingsSchema.safeParse(input);
      expect(result.success, JSON.stringify(input)).toBe(false);
      const issue = result.error!.issues[0]!;
      if (field) expect(issue.path).toEqual([field]);
      else expect(issue.message).toContain('apikey');
    }
  });

  it('marks the API key secret', () => {
    expect(elytron.secretSettings).toEqual(['apiKey']);
  });
});

describe('capabilities', () => {
  it('deletes one id per call, permanently, at the plan rate spread over the minute', () => {
    const expected = { free: 10 / 60, pro: 100 / 60, enterprise: 1_000 / 60 };
    for (const [plan, requestsPerSecond] of Object.entries(expected)) {
      const provider = createProvider({ apiKey: 'ely_key_1234', plan: plan as 'free' });
      expect(provider.capabilities).toEqual({
        maxBatchSize: 1,
        restore: false,
        requestsPerSecond,
        listFilters: { status: ['PROCESSING', 'READY', 'FAILED'] },
      });
      expect(provider.doRestoreVideo).toBeUndefined();
      // Elytron's webhooks announce completed and failed generations only, never a deletion.
      expect(provider.doParseWebhook).toBeUndefined();
    }
  });
});

describe('base URL', () => {
  it('is production by default, the sandbox host on request, and baseUrl when set', () => {
    const url = (settings: ElytronSettingsInput) => elytronBaseUrl(elytronSettingsSchema.parse(settings));
    expect(url({ apiKey: 'ely_key_1234' })).toBe('https://api.elytron.com/v1');
    expect(url({ apiKey: 'ely_key_1234', environment: 'sandbox' })).toBe('https://sandbox-api.elytron.com/v1');
    // Every other test here reaches the simulator through baseUrl, which wins over the environment.
    expect(url({ apiKey: 'ely_key_1234', environment: 'sandbox', baseUrl: 'http://127.0.0.1:8080/v1' })).toBe(
      'http://127.0.0.1:8080/v1',
    );
  });
});

describe('reading error bodies', () => {
  it('reads every documented nested body', () => {
    for (const [code, { body }] of Object.entries(documented.nested)) {
      const read = readElytronError(body);
      expect(read?.code).toBe(code);
      expect(read?.message).toBe((body as { error: { message: string } }).error.message);
    }
  });

  it('reads the flat schema-panel body, taking `error` as a code only when it looks like one', () => {
    expect(readElytronError(documented.flatPanel)).toEqual({ message: '<string>' });
    expect(readElytronError({ error: 'VIDEO_NOT_FOUND', message: 'Video not found', details: {} })).toEqual({
      code: 'VIDEO_NOT_FOUND',
      message: 'Video not found',
    });
    expect(readElytronError({ error: 'Video not found' })).toEqual({ message: 'Video not found' });
  });

  it('recognises a body that is not Elytron error at all', () => {
    for (const body of [undefined, '', '<html>Not Found</html>', { message: 'nope' }, { error: 42 }]) {
      expect(readElytronError(body)).toBeUndefined();
    }
  });
});

describe.each(['nested', 'flat'] as const)('doDeleteVideos against %s error bodies', (errorStyle) => {
  const context = useSimulator({ errorStyle });

  it('deletes a completed and a failed video with one DELETE each, for good', async () => {
    const { simulator, provider } = context;
    const completed = simulator.library.add({ status: 'completed' }).video_id;
    const failed = simulator.library.add({ status: 'failed' }).video_id;
    expect(await provider.doDeleteVideos([completed], callOptions())).toEqual([{ status: 'DELETED' }]);
    expect(await provider.doDeleteVideos([failed], callOptions())).toEqual([{ status: 'DELETED' }]);
    expect(simulator.calls().map(({ method, path, status, ids }) => ({ method, path, status, ids }))).toEqual([
      { method: 'DELETE', path: `/v1/videos/${completed}`, status: 204, ids: [completed] },
      { method: 'DELETE', path: `/v1/videos/${failed}`, status: 204, ids: [failed] },
    ]);
    expect(simulator.stateOf(completed)).toBe('GONE');
    expect(simulator.stateOf(failed)).toBe('GONE');
  });

  it('refuses a pending or processing video as IN_PROCESSING, retryable later but not now, and leaves it', async () => {
    const { simulator, provider } = context;
    for (const status of ['pending', 'processing'] as const) {
      const id = simulator.library.add({ status }).video_id;
      const [outcome] = await provider.doDeleteVideos([id], callOptions());
      expect(outcome).toEqual({
        status: 'FAILED',
        error: {
          code: 'IN_PROCESSING',
          message: `Elytron cannot delete video ${id} until its generation completes or fails: Cannot delete video while it is being processed (VIDEO_IN_PROCESSING)`,
          retryable: true,
          transient: false,
        },
      });
      expect(simulator.stateOf(id)).toBe('PRESENT');
    }
  });

  it("refuses a colleague's video as FORBIDDEN", async () => {
    const { simulator, provider } = context;
    const id = simulator.library.add({ status: 'completed', ownedByOthers: true }).video_id;
    const [outcome] = await provider.doDeleteVideos([id], callOptions());
    expect(outcome).toEqual({
      status: 'FAILED',
      error: {
        code: 'FORBIDDEN',
        message: `This Elytron API key may not delete video ${id}: You do not have permission to delete this video (FORBIDDEN)`,
        retryable: false,
      },
    });
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });

  it('answers NOT_FOUND for a missing video and for one deleted before', async () => {
    const { simulator, provider } = context;
    const id = simulator.library.add({ status: 'completed' }).video_id;
    await provider.doDeleteVideos([id], callOptions());
    expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'NOT_FOUND' }]);
    expect(await provider.doDeleteVideos([simulator.missingId()], callOptions())).toEqual([{ status: 'NOT_FOUND' }]);
  });

  it('fails an id Elytron cannot read as INVALID_REQUEST for that id alone', async () => {
    const [outcome] = await context.provider.doDeleteVideos(['not-a-uuid'], callOptions());
    expect(outcome).toEqual({
      status: 'FAILED',
      error: {
        code: 'INVALID_REQUEST',
        message: 'Elytron refused to delete video not-a-uuid with 400: Invalid video_id (INVALID_REQUEST)',
        retryable: false,
      },
    });
  });

  it('throws UNAUTHORIZED for the whole call on a wrong key, without the key', async () => {
    const { simulator } = context;
    const key = 'ely_wrong_key_4b1d';
    const provider = createProvider({ baseUrl: simulator.url, apiKey: key });
    const id = simulator.library.add({ status: 'completed' }).video_id;
    const error = await providerRejection(provider.doDeleteVideos([id], callOptions()));
    expect(error).toMatchObject({ name: 'UnauthorizedError', code: 'UNAUTHORIZED', retryable: false, status: 401 });
    expect(error.message).toBe('elytron answered 401: Invalid API key (UNAUTHORIZED)');
    expect(errorText(error)).not.toContain(key);
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });

  it('throws a retryable RATE_LIMITED with the wait X-RateLimit-Reset gives, without deleting', async () => {
    const { simulator, provider } = context;
    const id = simulator.library.add({ status: 'completed' }).video_id;
    simulator.failNext('throttle', 1);
    const error = await providerRejection(provider.doDeleteVideos([id], callOptions()));
    expect(error).toMatchObject({ name: 'RateLimitedError', code: 'RATE_LIMITED', retryable: true, status: 429 });
    expect(error.message).toBe('elytron answered 429: Rate limit exceeded. Please retry later. (RATE_LIMIT_EXCEEDED)');
    // The planned throttle says "at the end of the current (free plan) minute".
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });

  it('throws a retryable PROVIDER_ERROR on a 5xx, after exactly one request', async () => {
    const { simulator, provider } = context;
    const id = simulator.library.add({ status: 'completed' }).video_id;
    simulator.failNext('server-error', 1);
    const error = await providerRejection(provider.doDeleteVideos([id], callOptions()));
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, status: 500 });
    expect(simulator.calls()).toHaveLength(1);
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });
});

describe('doDeleteVideos guards', () => {
  const context = useSimulator();

  it('refuses more than one id per call before sending anything', async () => {
    const [a, b] = [
      context.simulator.library.add({ status: 'completed' }),
      context.simulator.library.add({ status: 'completed' }),
    ];
    const error = await providerRejection(context.provider.doDeleteVideos([a.video_id, b.video_id], callOptions()));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('elytron deletes one video per call (maxBatchSize 1), got 2 ids');
    expect(context.simulator.calls()).toHaveLength(0);
  });

  it('fails the whole call, never reports NOT_FOUND, on a 404 that is not VIDEO_NOT_FOUND', async () => {
    const { simulator } = context;
    // The classic mistake: the host without its /v1. Every video would otherwise look already gone.
    const provider = createProvider({
      baseUrl: simulator.url.replace(/\/v1$/, ''),
      apiKey: simulator.credentials.apiKey,
    });
    const id = simulator.library.add({ status: 'completed' }).video_id;
    for (const attempt of [provider.doDeleteVideos([id], callOptions()), provider.doGetVideos([id], callOptions())]) {
      const error = await providerRejection(attempt);
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toContain("check the plugin's baseUrl");
    }
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });

  it('sends nothing once the host has aborted', async () => {
    const id = context.simulator.library.add({ status: 'completed' }).video_id;
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(context.provider.doDeleteVideos([id], callOptions({ signal: controller.signal }))).rejects.toThrow(
      'shutting down',
    );
    expect(context.simulator.calls()).toHaveLength(0);
    expect(context.simulator.stateOf(id)).toBe('PRESENT');
  });
});

describe.each(['data', 'data.video'] as const)('doGetVideos with the video as %s', (videoShape) => {
  const context = useSimulator({ videoShape });

  it('maps every Elytron status, titles a video by its prompt, and answers null for a missing id', async () => {
    const { simulator, provider } = context;
    const videos = (['pending', 'processing', 'completed', 'failed'] as const).map((status) =>
      simulator.library.add({ status, prompt: `a ${status} prompt` }),
    );
    const missing = simulator.missingId();
    const ids = [...videos.map((video) => video.video_id), missing];
    const found = await provider.doGetVideos(ids, callOptions());
    expect(found).toEqual([
      ...videos.map((video, index) => ({
        id: video.video_id,
        title: `a ${video.status} prompt`,
        status: ['PROCESSING', 'PROCESSING', 'READY', 'FAILED'][index],
        createdAt: new Date(video.created_at),
      })),
      null,
    ]);
    // One GET of the video per id, in order; the /status endpoint lacks the prompt and date, so it is not used.
    expect(simulator.calls().map((recorded) => `${recorded.method} ${recorded.path}`)).toEqual(
      ids.map((id) => `GET /v1/videos/${id}`),
    );
  });

  it('answers null once a video is deleted', async () => {
    const { simulator, provider } = context;
    const id = simulator.library.add({ status: 'completed' }).video_id;
    await provider.doDeleteVideos([id], callOptions());
    expect(await provider.doGetVideos([id], callOptions())).toEqual([null]);
  });
});

describe('doGetVideos errors', () => {
  const context = useSimulator();

  it('throws UNAUTHORIZED on a wrong key and a retryable PROVIDER_ERROR on a 5xx, without retrying the read', async () => {
    const { simulator } = context;
    const id = simulator.library.add({ status: 'completed' }).video_id;
    const wrong = createProvider({ baseUrl: simulator.url, apiKey: 'ely_wrong_key_4b1d' });
    expect((await providerRejection(wrong.doGetVideos([id], callOptions()))).code).toBe('UNAUTHORIZED');
    simulator.resetCalls();
    simulator.failNext('server-error', 1);
    const error = await providerRejection(context.provider.doGetVideos([id], callOptions()));
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    // The host retries reads through its rate limiter; a hidden retry here would spend quota it never counted.
    expect(simulator.calls()).toHaveLength(1);
  });
});

describe.each(['wrapped', 'bare'] as const)('doListVideos with a %s page', (listShape) => {
  const context = useSimulator({ listShape, videoCount: 12 });

  it('pages through every video once, the cursor being the offset', async () => {
    const { simulator, provider } = context;
    const seen: string[] = [];
    const cursors: (string | null | undefined)[] = [];
    let cursor: string | undefined;
    do {
      const page = await provider.doListVideos!(
        { limit: 5, ...(cursor === undefined ? {} : { cursor }) },
        callOptions(),
      );
      seen.push(...page.items.map((video) => video.id));
      cursors.push(page.nextCursor);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(simulator.videoIds);
    expect(cursors).toEqual(['5', '10', null]);
    expect(simulator.calls().map((recorded) => recorded.query)).toEqual([
      { limit: '5', offset: '0' },
      { limit: '5', offset: '5' },
      { limit: '5', offset: '10' },
    ]);
  });

  it('asks for at most 100 a page, as documented', async () => {
    const page = await context.provider.doListVideos!({ limit: 500 }, callOptions());
    expect(page.items).toHaveLength(12);
    expect(context.simulator.calls()[0]?.query).toEqual({ limit: '100', offset: '0' });
  });
});

describe('doListVideos cursor', () => {
  const context = useSimulator();

  it('refuses a cursor it did not hand out, naming it', async () => {
    for (const cursor of ['-1', 'abc', '1.5', '']) {
      const error = await providerRejection(context.provider.doListVideos!({ limit: 5, cursor }, callOptions()));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toContain(`got "${cursor}"`);
    }
    expect(context.simulator.calls()).toHaveLength(0);
  });
});

describe('rate limits end to end', () => {
  // A 1 s window keeps the test short; the plugin reads the header the same way whatever the window. The simulator and
  // the plugin read one fake Date (timers and I/O stay real): no window ends between the requests, and "after waiting
  // that long" is the clock moved by exactly retryAfterMs, however slow the machine.
  describe.each([
    ['epoch-seconds', 750],
    ['epoch-ms', 750],
    // Seconds until the reset, rounded up: the wait is a whole second.
    ['seconds', 1_000],
    ['iso', 750],
  ] as const)('X-RateLimit-Reset as %s', (resetFormat, retryAfterMs) => {
    const context = useSimulator({ resetFormat, rateLimit: { limit: 2, windowMs: 1_000 }, now: () => Date.now() });
    let start: number;
    beforeEach(() => {
      // A quarter of a second into a window.
      start = Math.floor(Date.now() / 1_000) * 1_000 + 250;
      vi.useFakeTimers({ toFake: ['Date'], now: start });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('turns the reset into retryAfterMs, and the window is open again after waiting that long', async () => {
      const { simulator, provider } = context;
      const [first, second, third, after] = Array.from(
        { length: 4 },
        () => simulator.library.add({ status: 'completed' }).video_id,
      ) as [string, string, string, string];
      // Two requests fit in a window: the third is throttled until the window ends, three quarters of a second on.
      expect(await provider.doDeleteVideos([first], callOptions())).toEqual([{ status: 'DELETED' }]);
      expect(await provider.doDeleteVideos([second], callOptions())).toEqual([{ status: 'DELETED' }]);
      const error = await providerRejection(provider.doDeleteVideos([third], callOptions()));
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs });
      vi.setSystemTime(start + retryAfterMs);
      expect(await provider.doDeleteVideos([after], callOptions())).toEqual([{ status: 'DELETED' }]);
    });
  });

  describe('a failure that is not a throttle', () => {
    const context = useSimulator({ rateLimit: undefined, resetFormat: 'seconds' });

    it('carries no retryAfterMs, although X-RateLimit-Reset comes with every answer', async () => {
      const { simulator, provider } = context;
      const id = simulator.library.add({ status: 'completed' }).video_id;
      simulator.failNext('server-error', 1);
      const answer = await fetch(`${simulator.url}/videos/${id}`, {
        headers: { authorization: `Bearer ${simulator.credentials.apiKey}` },
      });
      expect(answer.status).toBe(500);
      expect(answer.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
      simulator.failNext('server-error', 1);
      const error = await providerRejection(provider.doGetVideos([id], callOptions()));
      expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, status: 500 });
      expect(error.retryAfterMs).toBeUndefined();
    });
  });

  describe('the free plan', () => {
    const start = Date.now();
    // The simulator's clock is pinned so the eleventh request cannot fall into the next minute, and Reset is sent as
    // seconds-until, which makes the wait exact whatever the real clock says by then. `rateLimit: undefined` undoes
    // useSimulator's default of no limit: the plan's own 10 a minute applies.
    const context = useSimulator(
      { rateLimit: undefined, plan: 'free', resetFormat: 'seconds', now: () => start },
      { plan: 'free' },
    );

    it('allows 10 requests a minute and says to come back when the minute ends', async () => {
      const { simulator, provider } = context;
      const ids = Array.from({ length: 11 }, () => simulator.library.add({ status: 'completed' }).video_id);
      for (const id of ids.slice(0, 10))
        expect(await provider.doDeleteVideos([id], callOptions())).toEqual([{ status: 'DELETED' }]);
      const error = await providerRejection(provider.doDeleteVideos([ids[10]!], callOptions()));
      expect(error.code).toBe('RATE_LIMITED');
      const minuteEnds = start - (start % 60_000) + 60_000;
      expect(error.retryAfterMs).toBe(Math.ceil((minuteEnds - start) / 1000) * 1000);
      expect(simulator.stateOf(ids[10]!)).toBe('PRESENT');
    });
  });
});

describe('secrets', () => {
  it('keeps the key out of every error, whichever error shape Elytron uses', async () => {
    for (const errorStyle of ['nested', 'flat'] as const) {
      const key = 'ely_live_s3cr3t_key_value';
      const simulator = await startSimulator({ videoCount: 1, rateLimit: false, errorStyle });
      try {
        const logger = new CapturingLogger();
        const provider = createProvider({ baseUrl: simulator.url, apiKey: key }, logger);
        const errors = [
          await providerRejection(provider.doDeleteVideos([simulator.videoIds[0]!], callOptions())),
          await providerRejection(provider.doGetVideos([simulator.videoIds[0]!], callOptions())),
          await providerRejection(provider.doListVideos!({ limit: 5 }, callOptions())),
        ];
        for (const error of errors) expect(errorText(error)).not.toContain(key);
        expect(logger.lines.join('\n')).not.toContain(key);
      } finally {
        await simulator.close();
      }
    }
  });
});

describe('doListVideos with a status filter', () => {
  // A library as large as a delete-by-selection run meets, seeded at start with mixed statuses.
  const context = useSimulator({ videoCount: 20_000 });

  async function listAll(status: readonly ProviderVideoStatus[]): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await context.provider.doListVideos!(
        { limit: 500, filter: { status }, ...(cursor === undefined ? {} : { cursor }) },
        callOptions(),
      );
      ids.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return ids;
  }

  it('lists PROCESSING as pending then processing, 100 at a time, exactly', async () => {
    const { simulator } = context;
    const ids = await listAll(['PROCESSING']);
    const expected = [
      ...simulator.library.list('pending').map((video) => video.video_id),
      ...simulator.library.list('processing').map((video) => video.video_id),
    ];
    expect(expected.length).toBeGreaterThan(100);
    expect(ids).toEqual(expected);
    const asked = simulator.calls().map((call) => [call.query.status, call.query.limit]);
    expect(new Set(asked.map(([status]) => status))).toEqual(new Set(['pending', 'processing']));
    expect(asked.every(([, limit]) => limit === '100')).toBe(true);
  });

  it('lists nothing, without a call, for an empty status set, and every status when UNKNOWN is asked', async () => {
    expect(await context.provider.doListVideos!({ limit: 5, filter: { status: [] } }, callOptions())).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(context.simulator.calls()).toHaveLength(0);
    await context.provider.doListVideos!({ limit: 5, filter: { status: ['READY', 'UNKNOWN'] } }, callOptions());
    expect(context.simulator.calls()[0]?.query.status).toBeUndefined();
  });

  it('shifts: videos deleted from page 1 pull the next ones up, so page 2 starts later and skips them', async () => {
    const { simulator, provider } = context;
    const original = simulator.library.list('completed').map((video) => video.video_id);
    const filter = { status: ['READY'] as ProviderVideoStatus[] };
    const first = await provider.doListVideos!({ limit: 100, filter }, callOptions());
    expect(first.items.map((video) => video.id)).toEqual(original.slice(0, 100));
    // What a selection deleting as it lists does: 20 videos of page 1 (a colleague's cannot be deleted, so not those).
    const deletable = first.items
      .map((video) => video.id)
      .filter((id) => !simulator.library.get(id)!.ownedByOthers)
      .slice(0, 20);
    for (const id of deletable) expect((await provider.doDeleteVideos([id], callOptions()))[0]?.status).toBe('DELETED');
    const second = await provider.doListVideos!({ limit: 100, filter, cursor: first.nextCursor! }, callOptions());
    // Elytron counts `offset` in what is left: the 20 videos after page 1 moved onto it, and page 2 passes them by.
    expect(second.items.map((video) => video.id)).toEqual(original.slice(120, 220));
  });
});
