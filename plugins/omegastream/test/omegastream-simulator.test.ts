import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type OmegastreamSimulator,
  type OmegastreamSimulatorOptions,
} from '@unreel/plugin-omegastream/simulator';
import { DEFAULT_RATE_LIMIT } from '../simulator/omegastream-simulator-options.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const HOUR = 3_600_000;

const running: OmegastreamSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function start(options: OmegastreamSimulatorOptions = {}): Promise<OmegastreamSimulator> {
  const simulator = await startSimulator({ videoCount: 10, rateLimit: false, ...options });
  running.push(simulator);
  return simulator;
}

/** A request to the video API as a client sends it: Bearer key, JSON. */
function api(
  simulator: OmegastreamSimulator,
  path: string,
  init: { method?: string; body?: unknown; key?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? simulator.credentials.apiKey}`;
  return fetch(`${simulator.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
}

function bulk(simulator: OmegastreamSimulator, uuids: unknown, path = 'delete_videos'): Promise<Response> {
  return api(simulator, `/${path}`, { method: 'DELETE', body: { uuids } });
}

describe('omegastream simulator: the library', () => {
  it('is reproducible from its seed and holds 50 videos by default, most deletable, a few processing, recent or foreign', async () => {
    const first = await startSimulator({ seed: 7, rateLimit: false });
    const second = await startSimulator({ seed: 7, rateLimit: false });
    const other = await startSimulator({ seed: 8, rateLimit: false });
    running.push(first, second, other);
    expect(first.videoIds).toHaveLength(50);
    expect(second.videoIds).toEqual(first.videoIds);
    expect(second.credentials).toEqual(first.credentials);
    expect(other.videoIds).not.toEqual(first.videoIds);
    for (const id of first.videoIds)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const videos = first.videoIds.map((id) => first.video(id)!);
    const now = Date.now();
    const processing = videos.filter((video) => video.settledAt === null);
    const recent = videos.filter((video) => video.settledAt !== null && now - video.settledAt < 4 * HOUR);
    const foreign = videos.filter((video) => video.coid !== first.coid);
    const deletable = videos.filter(
      (video) => video.coid === first.coid && video.settledAt !== null && now - video.settledAt > 4 * HOUR,
    );
    expect(processing.length).toBeGreaterThan(0);
    expect(recent.length).toBeGreaterThan(0);
    expect(foreign.length).toBeGreaterThan(0);
    expect(deletable.length).toBeGreaterThan(videos.length / 2);
  });

  it('seeds the conformance states: READY completed long ago, PROCESSING in progress, FORBIDDEN of another company', async () => {
    const simulator = await start();
    const [ready, processing, forbidden] = simulator.seed([
      { state: 'READY' },
      { state: 'PROCESSING' },
      { state: 'FORBIDDEN' },
    ]) as string[];
    expect(simulator.video(ready!)).toMatchObject({ status: 'process-completed', coid: simulator.coid });
    expect(Date.now() - simulator.video(ready!)!.settledAt!).toBeGreaterThan(4 * HOUR);
    expect(simulator.video(processing!)).toMatchObject({ status: 'in-progress', settledAt: null });
    expect(simulator.video(forbidden!)?.coid).toBe(simulator.foreignCoid);
    expect(simulator.stateOf(simulator.missingId())).toBe('GONE');
  });
});

describe('omegastream simulator: authentication and routing', () => {
  it('refuses a missing or wrong key with 401 and a message body, before acting', async () => {
    const simulator = await start();
    const [id] = simulator.videoIds as [string];
    const missing = await api(simulator, `/${id}`, { method: 'DELETE', key: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'missing api key' });
    const wrong = await api(simulator, `/${id}`, { method: 'DELETE', key: 'not-the-key' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: 'invalid api key' });
    const basic = await fetch(`${simulator.url}/${id}`, {
      headers: { authorization: `Basic ${simulator.credentials.apiKey}` },
    });
    expect(basic.status).toBe(401);
    expect(simulator.stateOf(id)).toBe('PRESENT');
  });

  it('writes error bodies in the shape it is switched to', async () => {
    const nested = await start({ errorBody: 'error' });
    const response = await api(nested, `/${nested.missingId()}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      status: 404,
      error: { code: 'video_not_found', message: 'video not found' },
    });
    const text = await start({ errorBody: 'text' });
    const plain = await api(text, '', { key: 'wrong' });
    expect(plain.status).toBe(401);
    expect(plain.headers.get('content-type')).toContain('text/plain');
    expect(await plain.text()).toBe('invalid api key');
  });

  it('routes deleted, delete_videos and bulk_delete before :uuid, and unknown routes to 404', async () => {
    const simulator = await start();
    const [first, second] = simulator.videoIds as [string, string];
    const deleted = await api(simulator, '/deleted');
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ data: [], total: 0 });
    expect((await bulk(simulator, [first])).status).toBe(200);
    expect((await bulk(simulator, [second], 'bulk_delete')).status).toBe(200);
    expect(simulator.stateOf(first)).toBe('SOFT_DELETED');
    expect(simulator.stateOf(second)).toBe('SOFT_DELETED');
    const unknown = await api(simulator, `/${first}/extra`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'route not found' });
    expect((await fetch(`${simulator.origin}/company/client/other`)).status).toBe(404);
  });

  it('serves only the bulk paths it is told to: a removed one falls through to DELETE /:uuid', async () => {
    const simulator = await start({ bulkPaths: ['delete_videos'] });
    const response = await bulk(simulator, [simulator.videoIds[0]], 'bulk_delete');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'video not found' });
    expect(simulator.stateOf(simulator.videoIds[0]!)).toBe('PRESENT');
  });
});

describe('omegastream simulator: deleting', () => {
  it('answers a bulk delete in the documented shape', async () => {
    const simulator = await start();
    const [id] = simulator.seed([{ state: 'READY' }]) as [string];
    const response = await bulk(simulator, [id]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(fixture('docs-bulk-answer.json'));
    const [call] = simulator.calls().slice(-1);
    expect(call).toMatchObject({
      method: 'DELETE',
      path: '/company/client/video/delete_videos',
      status: 200,
      ids: [id],
    });
  });

  it('validates the bulk body: JSON, an array of uuids, 1 to 50 of them', async () => {
    const simulator = await start();
    const refusal = async (response: Response): Promise<unknown> => {
      expect(response.status).toBe(400);
      return response.json();
    };
    expect(await refusal(await api(simulator, '/delete_videos', { method: 'DELETE', body: '{"uuids": [' }))).toEqual({
      message: 'invalid JSON body',
    });
    expect(await refusal(await api(simulator, '/delete_videos', { method: 'DELETE', body: { ids: ['x'] } }))).toEqual({
      message: 'uuids must be an array of video uuids',
    });
    expect(await refusal(await bulk(simulator, [1, 2]))).toEqual({ message: 'uuids must be an array of video uuids' });
    expect(await refusal(await bulk(simulator, []))).toEqual({ message: 'uuids must hold 1 to 50 video uuids' });
    const fiftyOne = Array.from({ length: 51 }, () => simulator.missingId());
    expect(await refusal(await bulk(simulator, fiftyOne))).toEqual({ message: 'uuids must hold 1 to 50 video uuids' });
    const fifty = simulator.seed(Array.from({ length: 50 }, () => ({ state: 'READY' as const })));
    const accepted = await bulk(simulator, fifty);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({
      has_error: false,
      videos_count: 50,
      updated_count: 50,
      failed_count: 0,
    });
  });

  it('enforces the 4-hour rule on single and bulk deletes, on its own clock', async () => {
    let offset = 0;
    const simulator = await start({ now: () => Date.now() + offset });
    const [recent, processing, failedLongAgo, failedRecently] = simulator.addVideos([
      { status: 'process-completed', settledAgoMs: 1 * HOUR },
      { status: 'uploaded' },
      { status: 'process-failed', settledAgoMs: 5 * HOUR },
      { status: 'process-failed', settledAgoMs: HOUR / 2 },
    ]) as [string, string, string, string];
    const precondition = 'the video should be completed processing or failed for more than 4 hours';

    const single = await api(simulator, `/${recent}`, { method: 'DELETE' });
    expect(single.status).toBe(400);
    expect(await single.json()).toEqual({ message: precondition });
    const answer = await bulk(simulator, [recent, processing, failedLongAgo, failedRecently]);
    expect(await answer.json()).toEqual({
      has_error: true,
      videos_count: 4,
      updated_count: 1,
      failed_count: 3,
      failed_videos: { [recent]: precondition, [processing]: precondition, [failedRecently]: precondition },
    });
    expect(simulator.stateOf(failedLongAgo)).toBe('SOFT_DELETED');

    offset = 3 * HOUR + 60_000;
    expect((await api(simulator, `/${recent}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(simulator, `/${failedRecently}`, { method: 'DELETE' })).status).toBe(400);
    expect((await api(simulator, `/${processing}`, { method: 'DELETE' })).status).toBe(400);
    expect(simulator.stateOf(processing)).toBe('PRESENT');
  });

  it("refuses another company's video with 403, and in failed_videos", async () => {
    const simulator = await start();
    const [foreign, own] = simulator.seed([{ state: 'FORBIDDEN' }, { state: 'READY' }]) as [string, string];
    const single = await api(simulator, `/${foreign}`, { method: 'DELETE' });
    expect(single.status).toBe(403);
    expect(await single.json()).toEqual({ message: 'video does not belong to your company' });
    const answer = (await (await bulk(simulator, [foreign, own])).json()) as { failed_videos: unknown };
    expect(answer.failed_videos).toEqual({ [foreign]: 'video does not belong to your company' });
    expect(simulator.stateOf(foreign)).toBe('PRESENT');
    expect((await api(simulator, `/${foreign}`)).status).toBe(403);
  });

  it('answers 204 (current docs) or 200 with a message (older docs), and a second delete is not found', async () => {
    const current = await start();
    const [id] = current.seed([{ state: 'READY' }]) as [string];
    const response = await api(current, `/${id}`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const again = await api(current, `/${id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);

    const old = await start({ answerStyle: 'old' });
    const [oldId] = old.seed([{ state: 'READY' }]) as [string];
    const oldResponse = await api(old, `/${oldId}`, { method: 'DELETE' });
    expect(oldResponse.status).toBe(200);
    expect(await oldResponse.json()).toEqual({ message: 'video is not available anymore' });
  });

  it('writes failed_videos in each switchable shape', async () => {
    const expectations = {
      'map-string': (missing: string, foreign: string) => ({
        [missing]: 'video not found',
        [foreign]: 'video does not belong to your company',
      }),
      'map-object': (missing: string, foreign: string) => ({
        [missing]: { code: 'video_not_found', message: 'video not found' },
        [foreign]: { code: 'forbidden', message: 'video does not belong to your company' },
      }),
      'uuid-list': (missing: string, foreign: string) => [missing, foreign],
      'object-list': (missing: string, foreign: string) => [
        { uuid: missing, reason: 'video not found' },
        { uuid: foreign, reason: 'video does not belong to your company' },
      ],
      empty: () => ({}),
    } as const;
    for (const [shape, expected] of Object.entries(expectations)) {
      const simulator = await start({ failedVideosShape: shape as keyof typeof expectations });
      const [foreign, own] = simulator.seed([{ state: 'FORBIDDEN' }, { state: 'READY' }]) as [string, string];
      const missing = simulator.missingId();
      const answer = await (await bulk(simulator, [missing, own, foreign])).json();
      expect(answer, shape).toEqual({
        has_error: true,
        videos_count: 3,
        updated_count: 1,
        failed_count: 2,
        failed_videos: expected(missing, foreign),
      });
    }
  });
});

describe('omegastream simulator: revert and lookups', () => {
  it('reverts a deleted video to the status given, and refuses what it cannot revert', async () => {
    const simulator = await start();
    const [failedVideo, present, foreign] = simulator.addVideos([
      { status: 'process-failed', settledAgoMs: 10 * HOUR, deletedAgoMs: HOUR },
      { status: 'process-completed' },
      { status: 'process-completed', coid: simulator.foreignCoid, deletedAgoMs: HOUR },
    ]) as [string, string, string];
    const expectRefusal = async (path: string, status: number, message: string): Promise<void> => {
      const response = await api(simulator, path, { method: 'POST' });
      expect(response.status, path).toBe(status);
      expect(await response.json()).toEqual({ message });
    };
    await expectRefusal(`/revert_deletion/${failedVideo}`, 400, 'status is required');
    await expectRefusal(
      `/revert_deletion/${failedVideo}?status=ready`,
      400,
      'status must be one of ready-to-upload, uploaded, in-progress, process-failed, process-completed',
    );
    await expectRefusal(`/revert_deletion/${present}?status=process-completed`, 400, 'video is not deleted');
    await expectRefusal(
      `/revert_deletion/${foreign}?status=process-completed`,
      403,
      'video does not belong to your company',
    );
    await expectRefusal(`/revert_deletion/${simulator.missingId()}?status=process-completed`, 404, 'video not found');

    const reverted = await api(simulator, `/revert_deletion/${failedVideo}?status=process-failed`, { method: 'POST' });
    expect(reverted.status).toBe(204);
    expect(simulator.stateOf(failedVideo)).toBe('PRESENT');
    expect(simulator.video(failedVideo)?.status).toBe('process-failed');
  });

  it('answers a revert with 200 and a message in the older docs style, and may take no status', async () => {
    const simulator = await start({ answerStyle: 'old', revertStatus: 'optional' });
    const [id] = simulator.addVideos([{ status: 'process-completed', deletedAgoMs: HOUR }]) as [string];
    const response = await api(simulator, `/revert_deletion/${id}`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'video is not available again' });
    expect(simulator.video(id)?.status).toBe('process-completed');
  });

  it('shows the full video model, and a deleted video with deleted_at unless switched to hide it', async () => {
    const simulator = await start();
    const [id] = simulator.addVideos([{ status: 'process-completed', deletedAgoMs: HOUR }]) as [string];
    const response = await api(simulator, `/${id}`);
    expect(response.status).toBe(200);
    const model = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(model).sort()).toEqual([...(fixture('video-model-fields.json') as string[])].sort());
    expect(model).toMatchObject({ uuid: id, coid: simulator.coid, status: 'process-completed', ready_to_stream: true });
    expect(typeof model.deleted_at).toBe('string');

    const hiding = await start({ deletedLookup: 'hidden' });
    const [hidden] = hiding.addVideos([{ status: 'process-completed', deletedAgoMs: HOUR }]) as [string];
    expect((await api(hiding, `/${hidden}`)).status).toBe(404);
    const deleted = (await (await api(hiding, '/deleted')).json()) as { data: { uuid: string }[] };
    expect(deleted.data.map((video) => video.uuid)).toEqual([hidden]);
  });

  it('purges a deleted video after the retention it is given, and never without one', async () => {
    let offset = 0;
    const simulator = await start({ retentionMs: 24 * HOUR, now: () => Date.now() + offset });
    const [id] = simulator.seed([{ state: 'READY' }]) as [string];
    expect((await api(simulator, `/${id}`, { method: 'DELETE' })).status).toBe(204);
    offset = 23 * HOUR;
    expect(simulator.stateOf(id)).toBe('SOFT_DELETED');
    offset = 24 * HOUR + 1;
    expect(simulator.stateOf(id)).toBe('GONE');
    expect((await api(simulator, `/revert_deletion/${id}?status=process-completed`, { method: 'POST' })).status).toBe(
      404,
    );

    let keptOffset = 0;
    const keeping = await start({ now: () => Date.now() + keptOffset });
    const [kept] = keeping.seed([{ state: 'READY' }]) as [string];
    await api(keeping, `/${kept}`, { method: 'DELETE' });
    keptOffset = 365 * 24 * HOUR;
    expect(keeping.stateOf(kept)).toBe('SOFT_DELETED');
  });

  it('lists its own live videos in the documented envelope, with filters, pages and a capped page size', async () => {
    const simulator = await start({ videoCount: 0, maxPageSize: 4 });
    const ids = simulator.addVideos([
      { status: 'process-completed', collectionId: 'col-a' },
      { status: 'in-progress' },
      { status: 'process-completed', collectionId: 'col-a' },
      { status: 'process-failed' },
      { status: 'process-completed' },
      { status: 'process-completed', coid: simulator.foreignCoid },
      { status: 'process-completed', deletedAgoMs: HOUR },
    ]);
    const page = async (query: string): Promise<Record<string, unknown>> => {
      const response = await api(simulator, query);
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const uuids = (envelope: Record<string, unknown>): string[] =>
      (envelope.data as { uuid: string }[]).map((video) => video.uuid);

    const first = await page('?page=1&limit=2');
    expect(first).toMatchObject({ total: 5, page: 1, per_page: 2, prev: 0, next: 2, total_page: 3 });
    expect(uuids(first)).toEqual(ids.slice(0, 2));
    const last = await page('?page=3&limit=2');
    expect(last).toMatchObject({ page: 3, prev: 2, next: 0 });
    expect(uuids(last)).toEqual([ids[4]]);
    expect(await page('?limit=50')).toMatchObject({ per_page: 4, total_page: 2 });
    expect(uuids(await page('?status=process-completed'))).toEqual([ids[0], ids[2], ids[4]]);
    expect(uuids(await page('?collection=col-a'))).toEqual([ids[0], ids[2]]);
    expect(uuids(await page('/deleted'))).toEqual([ids[6]]);
    // The docs' deleted-list example, field for field.
    const documented = fixture('docs-deleted-list.json') as { data: Record<string, unknown>[] };
    const served = await page('/deleted');
    expect(Object.keys(served).sort()).toEqual(Object.keys(documented).sort());
    expect(Object.keys((served.data as Record<string, unknown>[])[0]!).sort()).toEqual(
      Object.keys(documented.data[0]!).sort(),
    );

    for (const query of ['?page=0', '?limit=x', '?status=ready']) {
      const response = await api(simulator, query);
      expect(response.status, query).toBe(400);
    }
  });
});

describe('omegastream simulator: throttling and faults', () => {
  it('limits 10 requests a second per key by default, answering 429 with Retry-After', async () => {
    expect(DEFAULT_RATE_LIMIT).toEqual({ limit: 10, windowMs: 1_000 });
    const simulator = await startSimulator({ videoCount: 1 });
    running.push(simulator);
    // 40 requests sent at once arrive within three one-second windows even on a loaded machine: at most 30 get through.
    const responses = await Promise.all(Array.from({ length: 40 }, () => api(simulator, '?limit=1')));
    const throttled = responses.filter((response) => response.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(10);
    expect(throttled[0]!.headers.get('retry-after')).toBe('1');
    expect(await throttled[0]!.json()).toEqual({ message: 'too many requests' });
  });

  it('throttles with the window it is given, and not at all when switched off', async () => {
    const limited = await start({ rateLimit: { limit: 2, windowMs: 60_000 } });
    const statuses: number[] = [];
    for (let index = 0; index < 5 && !statuses.includes(429); index += 1)
      statuses.push((await api(limited, '?limit=1')).status);
    expect(statuses).toContain(429);
    const free = await start({ rateLimit: false });
    const responses = await Promise.all(Array.from({ length: 30 }, () => api(free, '?limit=1')));
    expect(responses.every((response) => response.status === 200)).toBe(true);
  });

  it('writes the throttled answer as switched: another status, an HTTP date, or no Retry-After', async () => {
    const dated = await start({ throttle: { status: 503, retryAfter: 'http-date' } });
    dated.failNext('throttle', 1);
    const response = await api(dated, '?limit=1');
    expect(response.status).toBe(503);
    const retryAt = Date.parse(response.headers.get('retry-after') ?? '');
    expect(Number.isNaN(retryAt)).toBe(false);
    const silent = await start({ throttle: { retryAfter: 'none' } });
    silent.failNext('throttle', 1);
    const quiet = await api(silent, '?limit=1');
    expect(quiet.status).toBe(429);
    expect(quiet.headers.get('retry-after')).toBeNull();
  });

  it('fails the next requests as planned without acting, after checking the key', async () => {
    const simulator = await start();
    const [id] = simulator.seed([{ state: 'READY' }]) as [string];
    simulator.failNext('throttle', 1);
    simulator.failNext('server-error', 1);
    expect((await api(simulator, `/${id}`, { method: 'DELETE', key: 'wrong' })).status).toBe(401);
    const throttled = await api(simulator, `/${id}`, { method: 'DELETE' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    const broken = await api(simulator, `/${id}`, { method: 'DELETE' });
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ message: 'internal server error' });
    expect(simulator.stateOf(id)).toBe('PRESENT');
    expect((await api(simulator, `/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(
      simulator
        .calls()
        .slice(-4)
        .map((call) => [call.status, call.ids]),
    ).toEqual([
      [401, [id]],
      [429, [id]],
      [500, [id]],
      [204, [id]],
    ]);
  });

  it('answers a share of requests with 500 at the error rate it is given', async () => {
    const simulator = await start({ errorRate: 1 });
    expect((await api(simulator, '?limit=1')).status).toBe(500);
    const healthy = await start({ errorRate: 0 });
    expect((await api(healthy, '?limit=1')).status).toBe(200);
  });
});
