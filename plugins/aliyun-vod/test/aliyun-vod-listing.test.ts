import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoMatchesFilter } from '@unreel/provider-kit';
import type { ProviderVideo, VideoFilter, VideoProviderV1 } from '@unreel/provider-spec';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { callOptions } from '@unreel/provider-testkit';
import { providerFor } from './aliyun-vod-test-provider.js';

async function listAll(provider: VideoProviderV1, filter?: VideoFilter): Promise<ProviderVideo[]> {
  const videos: ProviderVideo[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.doListVideos!(
      { limit: 100, ...(cursor === undefined ? {} : { cursor }), ...(filter ? { filter } : {}) },
      callOptions(),
    );
    videos.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return videos;
}

describe('aliyun-vod listing with filters', () => {
  let simulator: AliyunVodSimulator;
  let provider: VideoProviderV1;
  beforeAll(async () => {
    // A library as large as a delete-by-selection run meets, seeded at start (one video a minute, mixed statuses).
    simulator = await startSimulator({ videoCount: 20_000, rateLimit: false, forbiddenRatio: 0 });
    provider = providerFor(simulator, { method: 'GET' });
  });
  afterAll(() => simulator.close());

  it('sends Status and a whole-second StartTime/EndTime widened around the range, and lists exactly the range', async () => {
    const ids = simulator.videoIds;
    const first = simulator.library.videos.get(ids[5_000]!)!.creationTime;
    const last = simulator.library.videos.get(ids[5_400]!)!.creationTime;
    // Half a second past a video's creation: rounded to seconds, the bounds hold one video too many at each end.
    const filter: VideoFilter = {
      createdAfter: new Date(first + 500),
      createdBefore: new Date(last + 500),
      status: ['FAILED', 'PROCESSING'],
    };
    simulator.resetCalls();
    const listed = await listAll(provider, filter);
    expect(simulator.calls()[0]?.query).toMatchObject({
      Status: 'Uploading,UploadSucc,Transcoding,checking,UploadFail,TranscodeFail,ProduceFail',
      StartTime: new Date(first).toISOString().replace('.000Z', 'Z'),
      EndTime: new Date(last + 1_000).toISOString().replace('.000Z', 'Z'),
      PageSize: '100',
    });
    const expected = ids
      .slice(5_001, 5_401)
      .map((id) => simulator.library.videos.get(id)!)
      .filter((video) => ['FAILED', 'PROCESSING'].includes(expectedStatus(video.status)))
      .map((video) => video.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(listed.map((video) => video.id)).toEqual(expected);
    expect(listed.every((video) => videoMatchesFilter(video, filter))).toBe(true);
  });

  it('lists every status when one asked has no VOD value, and nothing, without a call, for an empty status set or range', async () => {
    simulator.resetCalls();
    const page = await provider.doListVideos!({ limit: 5, filter: { status: ['READY', 'UNKNOWN'] } }, callOptions());
    expect(simulator.calls()[0]?.query.Status).toBeUndefined();
    expect(page.items).toHaveLength(5);
    simulator.resetCalls();
    expect(await provider.doListVideos!({ limit: 5, filter: { status: [] } }, callOptions())).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(simulator.calls()).toHaveLength(0);
    const at = new Date(simulator.library.videos.get(simulator.videoIds[10]!)!.creationTime);
    expect(
      await provider.doListVideos!({ limit: 5, filter: { createdAfter: at, createdBefore: at } }, callOptions()),
    ).toEqual({ items: [], nextCursor: null });
    expect(simulator.calls()).toHaveLength(0);
  });

  it('shifts: videos deleted from page 1 pull the next ones up, so page 2 starts later and skips them', async () => {
    const shifted = await startSimulator({ videoCount: 300, rateLimit: false, forbiddenRatio: 0 });
    try {
      const lister = providerFor(shifted, { method: 'GET' });
      const first = await lister.doListVideos!({ limit: 100 }, callOptions());
      expect(first.items.map((video) => video.id)).toEqual(shifted.videoIds.slice(0, 100));
      // GetVideoList pages by PageNo: delete 20 of page 1 (one DeleteVideo call), as a selection would.
      const deleted = first.items.slice(0, 20).map((video) => video.id);
      expect((await lister.doDeleteVideos(deleted, callOptions())).map((outcome) => outcome.status)).toEqual(
        Array(20).fill('DELETED'),
      );
      const second = await lister.doListVideos!({ limit: 100, cursor: first.nextCursor! }, callOptions());
      // Offset 100 now holds what was the 121st video: videos 101..120 moved onto page 1 and this pass skips them.
      expect(second.items.map((video) => video.id)).toEqual(shifted.videoIds.slice(120, 220));
    } finally {
      await shifted.close();
    }
  });
});

function expectedStatus(status: string): string {
  if (['Uploading', 'UploadSucc', 'Transcoding', 'checking'].includes(status)) return 'PROCESSING';
  if (['UploadFail', 'TranscodeFail', 'ProduceFail'].includes(status)) return 'FAILED';
  return 'READY';
}
