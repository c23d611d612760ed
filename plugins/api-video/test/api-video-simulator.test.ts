import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type ApiVideoSimulator,
  type ApiVideoSimulatorOptions,
} from '@unreel/plugin-api-video/simulator';
import documented from './fixtures/documented-bodies.json' with { type: 'json' };
import { DAY_MS, ManualClock } from './manual-clock.js';
import { basic, rateHeaders, raw } from './simulator-http.js';

const running: ApiVideoSimulator[] = [];

async function simulator(options: ApiVideoSimulatorOptions = {}): Promise<ApiVideoSimulator> {
  const started = await startSimulator({ videoCount: 5, ...options });
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

describe('api.video simulator: authentication', () => {
  it('takes Basic with the API key as username and an empty password', async () => {
    const sim = await simulator();
    const answer = await raw(sim, 'GET', '/videos');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(5);
  });

  it('refuses a missing, wrong or malformed Authorization with a problem-details 401 as application/json', async () => {
    const sim = await simulator();
    for (const authorization of [
      null,
      basic('not-the-key'),
      `Bearer ${sim.credentials.apiKey}`,
      'Basic',
      'Digest abc',
    ]) {
      const answer = await raw(sim, 'GET', '/videos', { authorization });
      expect(answer.status, String(authorization)).toBe(401);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.body).toEqual({ ...documented.invalidUserCredentials, status: 401 });
      expect(answer.text).not.toContain(sim.credentials.apiKey);
    }
  });

  it('answers 401 with the body chosen by the unauthorizedBody switch, or none', async () => {
    const custom = await simulator({ unauthorizedBody: { title: 'Unauthorized', status: 401 } });
    expect((await raw(custom, 'GET', '/videos', { authorization: null })).body).toEqual({
      title: 'Unauthorized',
      status: 401,
    });
    const bodiless = await simulator({ unauthorizedBody: null });
    const answer = await raw(bodiless, 'GET', '/videos', { authorization: null });
    expect(answer.status).toBe(401);
    expect(answer.text).toBe('');
  });

  it('quotes the refused credential in detail with the echoCredentials switch, and never without it', async () => {
    const echoing = await simulator({ echoCredentials: true });
    const refused = await raw(echoing, 'GET', '/videos', { authorization: 'Bearer not-a-live-token' });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ status: 401, detail: 'Refused credential: Bearer not-a-live-token' });
    const wrongKey = await raw(echoing, 'POST', '/auth/api-key', {
      authorization: null,
      body: JSON.stringify({ apiKey: 'nope-key' }),
    });
    expect(wrongKey.body).toMatchObject({ status: 400, detail: 'Refused credential: nope-key' });
    const quiet = await simulator();
    expect((await raw(quiet, 'GET', '/videos', { authorization: 'Bearer not-a-live-token' })).text).not.toContain(
      'not-a-live-token',
    );
  });

  it('trades the API key for a one-hour bearer token, without rate-limit headers on /auth', async () => {
    const sim = await simulator();
    const answer = await raw(sim, 'POST', '/auth/api-key', {
      authorization: null,
      body: JSON.stringify({ apiKey: sim.credentials.apiKey }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    expect(answer.body.access_token.split('.')).toHaveLength(3);
    expect(rateHeaders(answer)).toEqual({ limit: null, remaining: null, retryAfter: null });
    const listed = await raw(sim, 'GET', '/videos', { authorization: `Bearer ${answer.body.access_token}` });
    expect(listed.status).toBe(200);
  });

  it('refuses a wrong API key with the documented 400, and a body without it with attribute-required', async () => {
    const sim = await simulator();
    const wrong = await raw(sim, 'POST', '/auth/api-key', {
      authorization: null,
      body: JSON.stringify({ apiKey: 'nope' }),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual(documented.invalidUserCredentials);
    const missing = await raw(sim, 'POST', '/auth/api-key', { authorization: null, body: '{}' });
    expect(missing.body).toEqual({
      type: 'https://docs.api.video/reference/attribute-required',
      title: 'This attribute is required.',
      name: 'apiKey',
      status: 400,
    });
    const garbage = await raw(sim, 'POST', '/auth/api-key', { authorization: null, body: 'apiKey=1' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.title).toBe('The payload is invalid.');
  });

  it('refreshes a token once per refresh token, and expires access tokens by its clock', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now });
    const first = (
      await raw(sim, 'POST', '/auth/api-key', {
        authorization: null,
        body: JSON.stringify({ apiKey: sim.credentials.apiKey }),
      })
    ).body;
    const refreshed = await raw(sim, 'POST', '/auth/refresh', {
      authorization: null,
      body: JSON.stringify({ refreshToken: first.refresh_token }),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    const reused = await raw(sim, 'POST', '/auth/refresh', {
      authorization: null,
      body: JSON.stringify({ refreshToken: first.refresh_token }),
    });
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual(documented.invalidUserCredentials);

    clock.advance(3_599_000);
    expect((await raw(sim, 'GET', '/videos', { authorization: `Bearer ${first.access_token}` })).status).toBe(200);
    clock.advance(1_000);
    expect((await raw(sim, 'GET', '/videos', { authorization: `Bearer ${first.access_token}` })).status).toBe(401);
  });

  it('issues tokens with the tokenTtlSeconds switch, and revokes them all at once', async () => {
    const sim = await simulator({ tokenTtlSeconds: 30 });
    const grant = (
      await raw(sim, 'POST', '/auth/api-key', {
        authorization: null,
        body: JSON.stringify({ apiKey: sim.credentials.apiKey }),
      })
    ).body;
    expect(grant.expires_in).toBe(30);
    sim.revokeTokens();
    expect((await raw(sim, 'GET', '/videos', { authorization: `Bearer ${grant.access_token}` })).status).toBe(401);
    const refresh = await raw(sim, 'POST', '/auth/refresh', {
      authorization: null,
      body: JSON.stringify({ refreshToken: grant.refresh_token }),
    });
    expect(refresh.status).toBe(400);
    expect(sim.issuedTokens()).toEqual([grant.access_token, grant.refresh_token]);
  });
});

describe('api.video simulator: rate limits', () => {
  it('sends X-RateLimit-Limit, -Remaining and -Retry-After on 2xx and 4xx answers alike', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now });
    const [id] = sim.videoIds as [string];
    const answers = [
      await raw(sim, 'GET', '/videos'),
      await raw(sim, 'GET', `/videos/${sim.missingId()}`),
      await raw(sim, 'GET', '/videos?pageSize=500'),
      await raw(sim, 'DELETE', `/videos/${id}`),
      await raw(sim, 'GET', '/videos', { authorization: null }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 400, 204, 401]);
    expect(answers.map(rateHeaders)).toEqual([
      { limit: '500', remaining: '499', retryAfter: '45' },
      { limit: '500', remaining: '498', retryAfter: '45' },
      { limit: '500', remaining: '497', retryAfter: '45' },
      // Writes have their own budget.
      { limit: '200', remaining: '199', retryAfter: '45' },
      // Unauthenticated requests are counted apart from the key's budget.
      { limit: '500', remaining: '499', retryAfter: '45' },
    ]);
  });

  it('uses the sandbox limits (writes 40, reads 100 per minute) for environment sandbox', async () => {
    const sim = await simulator({ environment: 'sandbox' });
    expect(rateHeaders(await raw(sim, 'GET', '/videos')).limit).toBe('100');
    expect(rateHeaders(await raw(sim, 'DELETE', `/videos/${sim.videoIds[0]}`)).limit).toBe('40');
  });

  it('refuses writes past the write budget with the documented 429, while reads go on, until the window resets', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now, rateLimit: { limit: 2, readLimit: 3, windowMs: 60_000 } });
    const [a, b, c] = sim.videoIds as [string, string, string];
    expect((await raw(sim, 'DELETE', `/videos/${a}`)).status).toBe(204);
    expect((await raw(sim, 'DELETE', `/videos/${b}`)).status).toBe(204);
    const throttled = await raw(sim, 'DELETE', `/videos/${c}`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toBe('application/json');
    expect(throttled.body).toEqual(documented.tooManyRequests);
    expect(rateHeaders(throttled)).toEqual({ limit: '2', remaining: '0', retryAfter: '45' });
    expect(sim.stateOf(c)).toBe('PRESENT');
    expect((await raw(sim, 'GET', `/videos/${c}`)).status).toBe(200);

    clock.advance(45_000);
    expect((await raw(sim, 'DELETE', `/videos/${c}`)).status).toBe(204);
  });

  it('does not count the /auth endpoints against any budget', async () => {
    // A pinned clock: the window cannot end between these requests, however slow the machine.
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now, rateLimit: { limit: 1, readLimit: 1, windowMs: 60_000 } });
    for (let index = 0; index < 3; index += 1) {
      const answer = await raw(sim, 'POST', '/auth/api-key', {
        authorization: null,
        body: JSON.stringify({ apiKey: sim.credentials.apiKey }),
      });
      expect(answer.status).toBe(200);
    }
    expect((await raw(sim, 'GET', '/videos')).status).toBe(200);
    expect((await raw(sim, 'GET', '/videos')).status).toBe(429);
  });

  it('counts bearer calls against the budget of the key behind the token', async () => {
    // A pinned clock: the window cannot end between these requests, however slow the machine.
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now, rateLimit: { limit: 5, readLimit: 2, windowMs: 60_000 } });
    const grant = (
      await raw(sim, 'POST', '/auth/api-key', {
        authorization: null,
        body: JSON.stringify({ apiKey: sim.credentials.apiKey }),
      })
    ).body;
    expect((await raw(sim, 'GET', '/videos')).status).toBe(200);
    expect((await raw(sim, 'GET', '/videos', { authorization: `Bearer ${grant.access_token}` })).status).toBe(200);
    expect((await raw(sim, 'GET', '/videos', { authorization: `Bearer ${grant.access_token}` })).status).toBe(429);
  });

  it('speaks milliseconds in X-RateLimit-Retry-After when the window is scaled below whole seconds', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ now: clock.now, rateLimit: { limit: 1, windowMs: 250 } });
    clock.advance(100 - (clock.ms % 250));
    expect(rateHeaders(await raw(sim, 'DELETE', `/videos/${sim.videoIds[0]}`)).retryAfter).toBe('0.150');
  });

  it('neither limits nor sends the headers with rateLimit: false', async () => {
    const sim = await simulator({ rateLimit: false });
    for (let index = 0; index < 3; index += 1) {
      const answer = await raw(sim, 'GET', '/videos');
      expect(answer.status).toBe(200);
      expect(rateHeaders(answer)).toEqual({ limit: null, remaining: null, retryAfter: null });
    }
  });
});

describe('api.video simulator: videos', () => {
  it('answers the documented 404 for an unknown video, and for unknown URLs and methods', async () => {
    const sim = await simulator();
    const missing = await raw(sim, 'GET', `/videos/${sim.missingId()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    expect(missing.body).toEqual(documented.notFound);
    expect((await raw(sim, 'DELETE', `/videos/${sim.missingId()}`)).body).toEqual(documented.notFound);
    expect((await raw(sim, 'GET', '/foobar')).body).toEqual(documented.unrecognizedUrl);
    const wrongMethod = await raw(sim, 'POST', '/videos/x/status');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.title).toBe('Method is not allowed for this route.');
  });

  it('serves the documented Video object', async () => {
    const sim = await simulator();
    const [id] = sim.videoIds as [string];
    const answer = await raw(sim, 'GET', `/videos/${id}`);
    expect(Object.keys(answer.body).sort()).toEqual([...documented.videoKeys].sort());
    expect(answer.body).toMatchObject({ videoId: id, discarded: false, discardedAt: null, deletesAt: null });
    expect(answer.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(id).toMatch(/^vi[0-9A-Za-z]{22}$/);
  });

  it('serves the status endpoint: playable when encoded, encoding or ingesting otherwise', async () => {
    const sim = await simulator();
    const [ready, processing] = (await sim.seed([{ state: 'READY' }, { state: 'PROCESSING' }])) as [string, string];
    const readyStatus = (await raw(sim, 'GET', `/videos/${ready}/status`)).body;
    expect(readyStatus.ingest.status).toBe('uploaded');
    expect(readyStatus.encoding.playable).toBe(true);
    expect(readyStatus.encoding.qualities.every((quality: { status: string }) => quality.status === 'encoded')).toBe(
      true,
    );
    const encoding = (await raw(sim, 'GET', `/videos/${processing}/status`)).body;
    expect(encoding.encoding.playable).toBe(false);
    expect(encoding.encoding.qualities.map((quality: { status: string }) => quality.status)).toContain('encoding');
    sim.setPhase(processing, 'uploading');
    const uploading = (await raw(sim, 'GET', `/videos/${processing}/status`)).body;
    expect(uploading.ingest.status).toBe('uploading');
    expect(uploading.encoding).toMatchObject({ playable: false, qualities: [] });
  });

  it('seeds a reproducible library with a few videos still processing, and refuses FORBIDDEN seeds', async () => {
    const one = await simulator({ seed: 5, videoCount: 50 });
    const two = await simulator({ seed: 5, videoCount: 50 });
    const other = await simulator({ seed: 6, videoCount: 50 });
    expect(one.videoIds).toEqual(two.videoIds);
    expect(one.credentials).toEqual(two.credentials);
    expect(other.videoIds).not.toEqual(one.videoIds);
    expect(other.credentials.apiKey).not.toBe(one.credentials.apiKey);
    const statuses = await Promise.all(
      one.videoIds.map(async (id) => (await raw(one, 'GET', `/videos/${id}/status`)).body.encoding.playable as boolean),
    );
    expect(statuses.filter((playable) => !playable).length).toBeGreaterThan(0);
    expect(statuses.filter((playable) => playable).length).toBeGreaterThan(40);
    expect(() => one.seed([{ state: 'FORBIDDEN' }])).toThrow(/forbidden/i);
  });

  it('records every call with the video id it carried', async () => {
    const sim = await simulator();
    const [id] = sim.videoIds as [string];
    sim.resetCalls();
    await raw(sim, 'GET', '/videos');
    await raw(sim, 'GET', `/videos/${id}/status`);
    await raw(sim, 'DELETE', `/videos/${id}`);
    expect(sim.calls().map((call) => [call.method, call.path, call.status, call.ids])).toEqual([
      ['GET', '/videos', 200, []],
      ['GET', `/videos/${id}/status`, 200, [id]],
      ['DELETE', `/videos/${id}`, 204, [id]],
    ]);
  });
});

describe('api.video simulator: listing', () => {
  it('pages with the documented pagination object and links', async () => {
    const sim = await simulator({ videoCount: 7 });
    const answer = await raw(sim, 'GET', '/videos?currentPage=2&pageSize=3');
    expect(answer.body.data.map((video: { videoId: string }) => video.videoId)).toEqual(sim.videoIds.slice(3, 6));
    expect(Object.keys(answer.body.pagination).sort()).toEqual([...documented.paginationKeys].sort());
    const collection = `${sim.url}/videos`;
    expect(answer.body.pagination).toEqual({
      currentPage: 2,
      pageSize: 3,
      pagesTotal: 3,
      itemsTotal: 7,
      currentPageItems: 3,
      links: [
        { rel: 'self', uri: `${collection}?currentPage=2&pageSize=3` },
        { rel: 'first', uri: `${collection}?currentPage=1&pageSize=3` },
        { rel: 'previous', uri: `${collection}?currentPage=1&pageSize=3` },
        { rel: 'next', uri: `${collection}?currentPage=3&pageSize=3` },
        { rel: 'last', uri: `${collection}?currentPage=3&pageSize=3` },
      ],
    });
    const first = (await raw(sim, 'GET', '/videos')).body.pagination;
    expect(first).toMatchObject({ currentPage: 1, pageSize: 25, pagesTotal: 1, currentPageItems: 7 });
    expect(first.links.map((link: { rel: string }) => link.rel)).toEqual(['self', 'first', 'last']);
  });

  it('refuses a page size outside 1..100, a page below 1 and unknown parameters with a 400 naming them', async () => {
    const sim = await simulator();
    for (const [query, name] of [
      ['pageSize=0', 'pageSize'],
      ['pageSize=101', 'pageSize'],
      ['currentPage=0', 'currentPage'],
      ['currentPage=two', 'currentPage'],
      ['sortBy=size', 'sortBy'],
      ['sortOrder=up', 'sortOrder'],
      ['discarded=true', 'discarded'],
    ] as const) {
      const answer = await raw(sim, 'GET', `/videos?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body).toMatchObject({
        name,
        status: 400,
        type: 'https://docs.api.video/reference/request-invalid-query-parameter',
      });
    }
    expect((await raw(sim, 'GET', '/videos?pageSize=101')).body).toMatchObject({
      title: 'This parameter is out of the allowed range of values.',
      range: { min: 1, max: 100 },
      problems: [{ name: 'pageSize', range: { min: 1, max: 100 } }],
    });
  });

  it('sorts and filters as documented', async () => {
    const sim = await simulator({ videoCount: 0 });
    await sim.seed([
      { state: 'READY', title: 'b second' },
      { state: 'READY', title: 'a first' },
      { state: 'READY', title: 'c third' },
    ]);
    const titles = async (query: string) =>
      ((await raw(sim, 'GET', `/videos?${query}`)).body.data as { title: string }[]).map((video) => video.title);
    expect(await titles('sortBy=title')).toEqual(['a first', 'b second', 'c third']);
    expect(await titles('sortBy=title&sortOrder=desc')).toEqual(['c third', 'b second', 'a first']);
    expect(await titles('title=second')).toEqual(['b second']);
    expect(await titles('liveStreamId=li400mYKSgQ6xs7taUeSaEKr')).toEqual([]);
  });
});

describe('api.video simulator: deletion and Video Restore', () => {
  it('deletes for good without Video Restore: 204 without a body, then 404 everywhere', async () => {
    const sim = await simulator();
    const [id] = sim.videoIds as [string];
    const deleted = await raw(sim, 'DELETE', `/videos/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(deleted.headers.get('content-type')).toBeNull();
    expect(sim.stateOf(id)).toBe('GONE');
    expect((await raw(sim, 'GET', `/videos/${id}`)).status).toBe(404);
    expect((await raw(sim, 'GET', `/discarded/videos/${id}`)).status).toBe(404);
    expect((await raw(sim, 'PATCH', `/discarded/videos/${id}`, { body: '{"discarded":false}' })).status).toBe(404);
  });

  it('discards with Video Restore for 90 days, then purges by its clock', async () => {
    const clock = new ManualClock();
    const sim = await simulator({ videoRestore: true, now: clock.now });
    const [id] = sim.videoIds as [string];
    const deletedAt = clock.ms;
    expect((await raw(sim, 'DELETE', `/videos/${id}`)).status).toBe(204);
    expect(sim.stateOf(id)).toBe('SOFT_DELETED');
    expect((await raw(sim, 'GET', `/videos/${id}`)).body).toEqual(documented.notFound);
    expect((await raw(sim, 'GET', `/videos/${id}/status`)).status).toBe(404);
    const discarded = (await raw(sim, 'GET', `/discarded/videos/${id}`)).body;
    expect(discarded).toMatchObject({ videoId: id, discarded: true, assets: null });
    expect(Date.parse(discarded.discardedAt)).toBe(deletedAt);
    expect(Date.parse(discarded.deletesAt)).toBe(deletedAt + 90 * DAY_MS);
    const live = (await raw(sim, 'GET', '/videos')).body.data.map((video: { videoId: string }) => video.videoId);
    expect(live).not.toContain(id);
    expect(
      (await raw(sim, 'GET', '/discarded/videos')).body.data.map((video: { videoId: string }) => video.videoId),
    ).toEqual([id]);

    clock.advance(90 * DAY_MS - 1_000);
    expect(sim.stateOf(id)).toBe('SOFT_DELETED');
    clock.advance(1_000);
    expect(sim.stateOf(id)).toBe('GONE');
    expect((await raw(sim, 'GET', `/discarded/videos/${id}`)).status).toBe(404);
    expect((await raw(sim, 'PATCH', `/discarded/videos/${id}`, { body: '{"discarded":false}' })).status).toBe(404);
  });

  it('restores only with exactly {"discarded": false}, refusing anything else with the documented 400', async () => {
    const sim = await simulator({ videoRestore: true });
    const [id, live] = sim.videoIds as [string, string];
    await raw(sim, 'DELETE', `/videos/${id}`);
    for (const body of ['{"discarded":true}', '{}', '{"discarded":"false"}', '{"discarded":null}']) {
      const answer = await raw(sim, 'PATCH', `/discarded/videos/${id}`, { body });
      expect(answer.status, body).toBe(400);
      expect(answer.body, body).toEqual(documented.discardedMustBeFalse);
    }
    const extra = await raw(sim, 'PATCH', `/discarded/videos/${id}`, { body: '{"discarded":false,"title":"x"}' });
    expect(extra.body).toMatchObject({ status: 400, name: 'title' });
    for (const body of ['discarded=false', '[false]', '']) {
      const answer = await raw(sim, 'PATCH', `/discarded/videos/${id}`, { body });
      expect(answer.status, body).toBe(400);
      expect(answer.body.title).toBe('The payload is invalid.');
    }
    expect(sim.stateOf(id)).toBe('SOFT_DELETED');
    expect((await raw(sim, 'PATCH', `/discarded/videos/${live}`, { body: '{"discarded":false}' })).body).toEqual(
      documented.notFound,
    );

    const restored = await raw(sim, 'PATCH', `/discarded/videos/${id}`, { body: '{"discarded":false}' });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ videoId: id, discarded: false, discardedAt: null, deletesAt: null });
    expect(sim.stateOf(id)).toBe('PRESENT');
    expect((await raw(sim, 'GET', `/videos/${id}`)).status).toBe(200);
  });

  it('answers DELETE of a discarded video 404 by default, 204 with deleteDiscarded: "204"', async () => {
    const strict = await simulator({ videoRestore: true });
    await raw(strict, 'DELETE', `/videos/${strict.videoIds[0]}`);
    expect((await raw(strict, 'DELETE', `/videos/${strict.videoIds[0]}`)).body).toEqual(documented.notFound);
    const lenient = await simulator({ videoRestore: true, deleteDiscarded: '204' });
    await raw(lenient, 'DELETE', `/videos/${lenient.videoIds[0]}`);
    expect((await raw(lenient, 'DELETE', `/videos/${lenient.videoIds[0]}`)).status).toBe(204);
    expect(lenient.stateOf(lenient.videoIds[0]!)).toBe('SOFT_DELETED');
  });

  it('shows a discarded video on GET /videos/{id} with getDiscarded: "video"', async () => {
    const sim = await simulator({ videoRestore: true, getDiscarded: 'video' });
    const [id] = sim.videoIds as [string];
    await raw(sim, 'DELETE', `/videos/${id}`);
    const answer = await raw(sim, 'GET', `/videos/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ videoId: id, discarded: true });
  });

  it('deletes a video being ingested by default, and refuses it with 409 under deleteIngesting: "refused"', async () => {
    const lenient = await simulator();
    const [ingesting] = (await lenient.seed([{ state: 'PROCESSING' }])) as [string];
    lenient.setPhase(ingesting, 'ingesting');
    expect((await raw(lenient, 'DELETE', `/videos/${ingesting}`)).status).toBe(204);

    const strict = await simulator({ deleteIngesting: 'refused' });
    const [uploading, encoding] = (await strict.seed([{ state: 'PROCESSING' }, { state: 'PROCESSING' }])) as [
      string,
      string,
    ];
    strict.setPhase(uploading, 'uploading');
    const refused = await raw(strict, 'DELETE', `/videos/${uploading}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 409, name: 'videoId' });
    expect(strict.stateOf(uploading)).toBe('PRESENT');
    // Encoding is past ingestion: deletable.
    expect((await raw(strict, 'DELETE', `/videos/${encoding}`)).status).toBe(204);
  });
});

describe('api.video simulator: planned faults', () => {
  it('answers a planned throttle with the documented 429 and headers, without acting', async () => {
    const sim = await simulator();
    const [id] = sim.videoIds as [string];
    sim.failNext('throttle', 1);
    const answer = await raw(sim, 'DELETE', `/videos/${id}`);
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual(documented.tooManyRequests);
    expect(rateHeaders(answer)).toEqual({ limit: '200', remaining: '0', retryAfter: expect.stringMatching(/^\d+$/) });
    expect(sim.stateOf(id)).toBe('PRESENT');
    expect((await raw(sim, 'DELETE', `/videos/${id}`)).status).toBe(204);
  });

  it('answers a planned server error with 500, and spends no fault on /auth or on a refused key', async () => {
    const sim = await simulator();
    const [id] = sim.videoIds as [string];
    sim.failNext('server-error', 1);
    expect(
      (
        await raw(sim, 'POST', '/auth/api-key', {
          authorization: null,
          body: JSON.stringify({ apiKey: sim.credentials.apiKey }),
        })
      ).status,
    ).toBe(200);
    expect((await raw(sim, 'DELETE', `/videos/${id}`, { authorization: basic('wrong') })).status).toBe(401);
    const failed = await raw(sim, 'DELETE', `/videos/${id}`);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ title: 'Server error', status: 500 });
    expect(sim.stateOf(id)).toBe('PRESENT');
  });

  it('fails every request with errorRate: 1', async () => {
    const sim = await simulator({ errorRate: 1 });
    expect((await raw(sim, 'GET', '/videos')).status).toBe(500);
    expect((await raw(sim, 'GET', `/videos/${sim.videoIds[0]}`)).status).toBe(500);
  });
});
