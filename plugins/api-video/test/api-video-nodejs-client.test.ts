import ApiVideoClient from '@api.video/nodejs-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type ApiVideoSimulator,
  type ApiVideoSimulatorOptions,
} from '@unreel/plugin-api-video/simulator';
import documented from './fixtures/documented-bodies.json' with { type: 'json' };

/**
 * The official Node client (axios, its own serializer, strict about `content-type: application/json`) pointed at the
 * simulator: if it can list, get, delete and restore, the simulator speaks api.video's real wire format.
 */
const running: ApiVideoSimulator[] = [];

async function simulator(options: ApiVideoSimulatorOptions = {}): Promise<ApiVideoSimulator> {
  const started = await startSimulator({ videoCount: 30, ...options });
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

function clientOf(sim: ApiVideoSimulator): ApiVideoClient {
  return new ApiVideoClient({ apiKey: sim.credentials.apiKey, baseUri: sim.url });
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; problemDetails: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the client should have thrown').toBeDefined();
  return error as { code: number; problemDetails: Record<string, unknown> };
}

describe('@api.video/nodejs-client against the simulator', () => {
  it('lists videos page by page through the documented pagination', async () => {
    const sim = await simulator();
    const client = clientOf(sim);
    const first = await client.videos.list({ pageSize: 20 });
    expect(first.data).toHaveLength(20);
    expect(first.pagination).toMatchObject({
      currentPage: 1,
      pageSize: 20,
      pagesTotal: 2,
      itemsTotal: 30,
      currentPageItems: 20,
    });
    const second = await client.videos.list({ pageSize: 20, currentPage: 2 });
    expect([...first.data, ...second.data].map((video) => video.videoId)).toEqual(sim.videoIds);
    expect(second.pagination.links.map((link) => link.rel)).toEqual(['self', 'first', 'previous', 'last']);
  });

  it('gets a video and its status, and deletes it (204 with no content type)', async () => {
    const sim = await simulator();
    const client = clientOf(sim);
    const [id] = sim.videoIds as [string];
    const video = await client.videos.get(id);
    expect(video.videoId).toBe(id);
    expect(video.discarded).toBe(false);
    expect(video.createdAt).toBeInstanceOf(Date);
    const status = await client.videos.getStatus(id);
    expect(typeof status.encoding?.playable).toBe('boolean');
    // The client reads a 204 without content type as its "HTTP DELETE response" (an empty string).
    await client.videos.delete(id);
    expect(sim.stateOf(id)).toBe('GONE');
  });

  it('surfaces the documented problem details through ApiVideoError', async () => {
    const sim = await simulator();
    const client = clientOf(sim);
    const error = await failure(client.videos.get(sim.missingId()));
    expect(error.code).toBe(404);
    expect(error.problemDetails).toEqual(documented.notFound);
    const wrongKey = await failure(new ApiVideoClient({ apiKey: 'wrong-key', baseUri: sim.url }).videos.list());
    expect(wrongKey.code).toBe(401);
    sim.failNext('throttle', 1);
    const throttled = await failure(client.videos.list());
    expect(throttled.code).toBe(429);
    expect(throttled.problemDetails).toEqual(documented.tooManyRequests);
  });

  it('deletes into the discarded collection and restores with updateDiscarded({ discarded: false })', async () => {
    const sim = await simulator({ videoRestore: true });
    const client = clientOf(sim);
    const [id] = sim.videoIds as [string];
    await client.videos.delete(id);
    const discarded = await client.videos.getDiscarded(id);
    expect(discarded.discarded).toBe(true);
    expect(discarded.deletesAt!.getTime() - discarded.discardedAt!.getTime()).toBe(90 * 86_400_000);
    expect((await client.videos.listDiscarded()).data.map((video) => video.videoId)).toEqual([id]);

    const refused = await failure(client.videos.updateDiscarded(id, { discarded: true }));
    expect(refused.code).toBe(400);
    expect(refused.problemDetails).toEqual(documented.discardedMustBeFalse);

    const restored = await client.videos.updateDiscarded(id, { discarded: false });
    expect(restored.videoId).toBe(id);
    expect(restored.discarded).toBe(false);
    expect(sim.stateOf(id)).toBe('PRESENT');
  });

  it('obtains a disposable bearer token through the client', async () => {
    const sim = await simulator();
    const token = await clientOf(sim).getAccessToken();
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    expect(sim.issuedTokens()).toContain(token.accessToken);
  });
});
