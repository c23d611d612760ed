import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type ElytronSimulator, type ElytronSimulatorOptions } from '@unreel/plugin-elytron/simulator';

/** The wire, seen with plain fetch: what any client (Elytron's own examples included) would get. */
const running: ElytronSimulator[] = [];

async function start(options: ElytronSimulatorOptions = {}): Promise<ElytronSimulator> {
  const simulator = await startSimulator({ rateLimit: false, ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function send(
  simulator: ElytronSimulator,
  method: string,
  path: string,
  authorization: string | null = `Bearer ${simulator.credentials.apiKey}`,
): Promise<{ status: number; headers: Headers; text: string; body: any }> {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers: authorization === null ? {} : { authorization },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) };
}

/** A pinned clock, 12:00:15.250 UTC: the minute's window ends 44.75 s later, at 12:01:00 (1767268860). */
const pinned = Date.UTC(2026, 0, 1, 12, 0, 15, 250);

const meta = { timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), request_id: expect.stringMatching(/^req_\d+$/) };

describe('seeded library', () => {
  it('is the same for the same seed, with 50 videos by default, a few still generating, failed or not ours', async () => {
    const [a, b, other] = await Promise.all([start(), start(), start({ seed: 2 })]);
    expect(a.videoIds).toHaveLength(50);
    expect(b.videoIds).toEqual(a.videoIds);
    expect(b.credentials).toEqual(a.credentials);
    expect(other.videoIds).not.toEqual(a.videoIds);
    expect(other.credentials.apiKey).not.toBe(a.credentials.apiKey);
    const strip = (page: any) =>
      page.data.videos.map(({ download_url: _url, ...video }: Record<string, unknown>) => video);
    expect(strip((await send(a, 'GET', '/videos?limit=100')).body)).toEqual(
      strip((await send(b, 'GET', '/videos?limit=100')).body),
    );
    const videos = a.library.list();
    for (const status of ['pending', 'processing', 'completed', 'failed']) {
      expect(videos.filter((video) => video.status === status).length, status).toBeGreaterThan(0);
    }
    expect(videos.filter((video) => video.ownedByOthers).length).toBeGreaterThan(0);
    for (const id of a.videoIds)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('hands out well-formed ids it does not hold', async () => {
    const simulator = await start({ videoCount: 3 });
    const missing = simulator.missingId();
    expect(missing).not.toBe(simulator.missingId());
    expect(simulator.stateOf(missing)).toBe('GONE');
    expect((await send(simulator, 'GET', `/videos/${missing}`)).body.error.code).toBe('VIDEO_NOT_FOUND');
  });
});

describe('authentication', () => {
  it("refuses a missing, wrong or non-Bearer key with Elytron's 401, never echoing the key", async () => {
    const simulator = await start({ videoCount: 1 });
    const id = simulator.videoIds[0]!;
    for (const authorization of [
      null,
      'Bearer ely_wrong_key_4b1d',
      `Basic ${simulator.credentials.apiKey}`,
      `Bearer${simulator.credentials.apiKey}`,
    ]) {
      const answer = await send(simulator, 'DELETE', `/videos/${id}`, authorization);
      expect(answer.status, String(authorization)).toBe(401);
      expect(answer.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Invalid API key' }, meta });
      expect(answer.text).not.toContain(simulator.credentials.apiKey);
      expect(answer.text).not.toContain('ely_wrong_key_4b1d');
    }
    expect(simulator.stateOf(id)).toBe('PRESENT');
    // The scheme is case-insensitive, as in HTTP.
    expect((await send(simulator, 'GET', `/videos/${id}`, `bearer ${simulator.credentials.apiKey}`)).status).toBe(200);
  });

  it('answers the flat schema-panel shape when errorStyle is flat', async () => {
    const simulator = await start({ errorStyle: 'flat' });
    const answer = await send(simulator, 'GET', '/videos', 'Bearer nope-nope');
    expect(answer.body).toEqual({ error: 'UNAUTHORIZED', message: 'Invalid API key', details: {} });
  });
});

describe('DELETE /videos/{video_id}', () => {
  it('deletes for good with 204 and no body; a second time is 404 VIDEO_NOT_FOUND', async () => {
    const simulator = await start({ videoCount: 0 });
    const id = simulator.library.add({ status: 'completed' }).video_id;
    const first = await send(simulator, 'DELETE', `/videos/${id}`);
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    expect(simulator.stateOf(id)).toBe('GONE');
    const again = await send(simulator, 'DELETE', `/videos/${id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: { code: 'VIDEO_NOT_FOUND', message: 'Video not found' }, meta });
    expect((await send(simulator, 'GET', `/videos/${id}`)).status).toBe(404);
    expect(simulator.calls().map((call) => [call.method, call.path, call.status, call.ids])).toEqual([
      ['DELETE', `/v1/videos/${id}`, 204, [id]],
      ['DELETE', `/v1/videos/${id}`, 404, [id]],
      ['GET', `/v1/videos/${id}`, 404, [id]],
    ]);
  });

  it("refuses a generating video with 400 VIDEO_IN_PROCESSING and a colleague's with 403 FORBIDDEN", async () => {
    const simulator = await start({ videoCount: 0 });
    for (const status of ['pending', 'processing'] as const) {
      const id = simulator.library.add({ status }).video_id;
      const answer = await send(simulator, 'DELETE', `/videos/${id}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: { code: 'VIDEO_IN_PROCESSING', message: 'Cannot delete video while it is being processed' },
        meta,
      });
      expect(simulator.stateOf(id)).toBe('PRESENT');
    }
    const theirs = simulator.library.add({ status: 'completed', ownedByOthers: true }).video_id;
    const answer = await send(simulator, 'DELETE', `/videos/${theirs}`);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: { code: 'FORBIDDEN', message: 'You do not have permission to delete this video' },
      meta,
    });
    expect(simulator.stateOf(theirs)).toBe('PRESENT');
    const failed = simulator.library.add({ status: 'failed' }).video_id;
    expect((await send(simulator, 'DELETE', `/videos/${failed}`)).status).toBe(204);
  });

  it('refuses an id that is not a UUID with 400 INVALID_REQUEST naming the field', async () => {
    const simulator = await start({ videoCount: 0 });
    const answer = await send(simulator, 'DELETE', '/videos/not-a-uuid');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: {
        code: 'INVALID_REQUEST',
        message: 'Invalid video_id',
        details: { field: 'video_id', reason: 'must be a UUID' },
      },
      meta,
    });
  });

  it('has no bulk form and no other methods: they are unknown routes, not a missing video', async () => {
    const simulator = await start({ videoCount: 1 });
    const id = simulator.videoIds[0]!;
    for (const [method, path] of [
      ['DELETE', '/videos'],
      ['POST', `/videos/${id}`],
      ['DELETE', `/videos/${id}/status`],
    ] as const) {
      const answer = await send(simulator, method, path);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
    }
    // Without the /v1 the real hosts have.
    const bare = await fetch(`${simulator.url.replace(/\/v1$/, '')}/videos/${id}`, {
      headers: { authorization: `Bearer ${simulator.credentials.apiKey}` },
    });
    expect(((await bare.json()) as any).error.code).toBe('NOT_FOUND');
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });
});

describe('GET /videos/{video_id} and /status', () => {
  it('shows the documented video fields in data (or data.video), and progress for a generating one', async () => {
    const simulator = await start({ videoCount: 0 });
    const done = simulator.library.add({ status: 'completed', prompt: 'A koi pond at dawn' });
    const video = (await send(simulator, 'GET', `/videos/${done.video_id}`)).body;
    expect(video).toEqual({
      data: {
        video_id: done.video_id,
        prompt: 'A koi pond at dawn',
        status: 'completed',
        duration: done.duration,
        quality: done.quality,
        aspect_ratio: done.aspect_ratio,
        style: done.style,
        created_at: done.created_at,
        completed_at: done.completed_at,
        download_url: `${simulator.url}/videos/${done.video_id}/download`,
        file_size: done.file_size,
      },
      meta,
    });
    expect((await send(simulator, 'GET', `/videos/${done.video_id}/status`)).body).toEqual({
      data: { video_id: done.video_id, status: 'completed', progress: 100, estimated_completion: null },
      meta,
    });
    const generating = simulator.library.add({ status: 'processing' });
    const status = (await send(simulator, 'GET', `/videos/${generating.video_id}/status`)).body.data;
    expect(status.progress).toBeGreaterThan(0);
    expect(status.progress).toBeLessThan(100);
    expect(new Date(status.estimated_completion).toISOString()).toBe(status.estimated_completion);
    const failed = simulator.library.add({ status: 'failed' });
    expect((await send(simulator, 'GET', `/videos/${failed.video_id}`)).body.data).toMatchObject({
      status: 'failed',
      error: expect.any(String),
      download_url: null,
    });

    const wrapped = await start({ videoCount: 1, videoShape: 'data.video' });
    const body = (await send(wrapped, 'GET', `/videos/${wrapped.videoIds[0]}`)).body;
    expect(body.data.video.video_id).toBe(wrapped.videoIds[0]);
  });
});

describe('GET /videos', () => {
  it('pages by limit (default 20) and offset, filters by status, and counts the total', async () => {
    const simulator = await start({ videoCount: 30 });
    const first = (await send(simulator, 'GET', '/videos')).body;
    expect(first).toMatchObject({ data: { total: 30, limit: 20, offset: 0 }, meta });
    expect(first.data.videos.map((video: any) => video.video_id)).toEqual(simulator.videoIds.slice(0, 20));
    const rest = (await send(simulator, 'GET', '/videos?limit=20&offset=20')).body.data;
    expect(rest.videos.map((video: any) => video.video_id)).toEqual(simulator.videoIds.slice(20));
    const completed = (await send(simulator, 'GET', '/videos?status=completed&limit=100')).body.data;
    const expected = simulator.library.list('completed').map((video) => video.video_id);
    expect(completed.videos.map((video: any) => video.video_id)).toEqual(expected);
    expect(completed.total).toBe(expected.length);
  });

  it('answers 400 INVALID_REQUEST naming the bad parameter', async () => {
    const simulator = await start({ videoCount: 0 });
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['status=deleted', 'status'],
    ]) {
      const answer = await send(simulator, 'GET', `/videos?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { field } });
    }
  });

  it('answers the bare schema-panel page when listShape is bare', async () => {
    const simulator = await start({ videoCount: 3, listShape: 'bare' });
    const body = (await send(simulator, 'GET', '/videos?limit=2')).body;
    expect(Object.keys(body).sort()).toEqual(['limit', 'offset', 'total', 'videos']);
    expect(body.total).toBe(3);
  });
});

describe('rate limits', () => {
  it('sends X-RateLimit-Reset in each format the docs leave open', async () => {
    const expected = {
      'epoch-seconds': '1767268860',
      'epoch-ms': '1767268860000',
      seconds: '45',
      iso: '2026-01-01T12:01:00.000Z',
    };
    for (const [resetFormat, reset] of Object.entries(expected)) {
      const simulator = await start({
        videoCount: 1,
        rateLimit: undefined,
        plan: 'pro',
        resetFormat: resetFormat as 'iso',
        now: () => pinned,
      });
      const answer = await send(simulator, 'GET', `/videos/${simulator.videoIds[0]}`);
      expect(answer.headers.get('x-ratelimit-limit')).toBe('100');
      expect(answer.headers.get('x-ratelimit-remaining')).toBe('99');
      expect(answer.headers.get('x-ratelimit-reset'), resetFormat).toBe(reset);
    }
  });

  it("enforces the plan's limit per key and minute, with the headers on every answer", async () => {
    for (const [plan, limit] of [
      ['free', 10],
      ['pro', 100],
      ['enterprise', 1_000],
    ] as const) {
      const simulator = await start({ videoCount: 1, rateLimit: undefined, plan, now: () => pinned });
      const path = `/videos/${simulator.videoIds[0]}`;
      // A wrong key's requests count against that key, not against the account's.
      const refused = await send(simulator, 'GET', path, 'Bearer someone-else');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-ratelimit-remaining')).toBe(String(limit - 1));
      const answers = [];
      for (let index = 0; index < limit; index += 1) answers.push((await send(simulator, 'GET', path)).status);
      expect(
        answers.every((status) => status === 200),
        plan,
      ).toBe(true);
      const throttled = await send(simulator, 'GET', path);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toEqual({
        error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded. Please retry later.' },
        meta,
      });
      expect(throttled.headers.get('x-ratelimit-limit')).toBe(String(limit));
      expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(throttled.headers.get('x-ratelimit-reset')).toBe('1767268860');
      // An unknown route is answered too, headers included.
      expect((await send(simulator, 'GET', '/nowhere')).headers.get('x-ratelimit-limit')).toBe(String(limit));
      await simulator.close();
      running.splice(running.indexOf(simulator), 1);
    }
  });

  it('takes a scaled window from rateLimit, and rateLimit: false turns limiting and its headers off', async () => {
    let clock = pinned;
    const scaled = await start({ videoCount: 1, rateLimit: { limit: 2, windowMs: 1_000 }, now: () => clock });
    const path = `/videos/${scaled.videoIds[0]}`;
    expect([
      (await send(scaled, 'GET', path)).status,
      (await send(scaled, 'GET', path)).status,
      (await send(scaled, 'GET', path)).status,
    ]).toEqual([200, 200, 429]);
    clock += 750;
    expect((await send(scaled, 'GET', path)).status).toBe(200);

    const unlimited = await start({ videoCount: 1 });
    for (let index = 0; index < 30; index += 1) {
      const answer = await send(unlimited, 'GET', `/videos/${unlimited.videoIds[0]}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });
});

describe('planned and random faults', () => {
  it('answers the next requests throttled or 500, with the headers, without acting', async () => {
    const simulator = await start({
      videoCount: 0,
      rateLimit: undefined,
      plan: 'pro',
      now: () => pinned,
      throttleCode: 'TOO_MANY_REQUESTS',
    });
    const [first, second] = [
      simulator.library.add({ status: 'completed' }).video_id,
      simulator.library.add({ status: 'completed' }).video_id,
    ];
    simulator.failNext('throttle', 2);
    simulator.failNext('server-error', 1);
    // Unknown routes are not video requests and leave the plan alone.
    expect((await send(simulator, 'GET', '/elsewhere')).status).toBe(404);
    const throttled = await send(simulator, 'DELETE', `/videos/${first}`);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('TOO_MANY_REQUESTS');
    expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(throttled.headers.get('x-ratelimit-reset')).toBe('1767268860');
    expect((await send(simulator, 'GET', `/videos/${second}`)).status).toBe(429);
    const failed = await send(simulator, 'DELETE', `/videos/${first}`);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' }, meta });
    expect(simulator.stateOf(first)).toBe('PRESENT');
    expect((await send(simulator, 'DELETE', `/videos/${first}`)).status).toBe(204);
  });

  it('fails every video request with errorRate 1', async () => {
    const simulator = await start({ videoCount: 1, errorRate: 1 });
    expect((await send(simulator, 'GET', '/videos')).status).toBe(500);
    expect((await send(simulator, 'DELETE', `/videos/${simulator.videoIds[0]}`)).status).toBe(500);
    expect(simulator.stateOf(simulator.videoIds[0]!)).toBe('PRESENT');
  });
});
