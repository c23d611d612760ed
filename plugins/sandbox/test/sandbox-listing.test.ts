import { describe, expect, it } from 'vitest';
import { videoMatchesFilter } from '@unreel/provider-kit';
import type { ProviderVideo, VideoFilter } from '@unreel/provider-spec';
import { SandboxLibrary } from '../src/sandbox-library.js';
import { SandboxProvider } from '../src/sandbox-provider.js';
import { sandboxSettingsSchema } from '../src/sandbox-settings.js';

const call = () => ({ signal: new AbortController().signal, attempt: 1 });

function sandbox(videoCount: number, ratios = { processingRatio: 0.05, failedRatio: 0.03 }): SandboxProvider {
  const settings = sandboxSettingsSchema.parse({ videoCount, latencyMs: [0, 0], forbiddenRatio: 0, ...ratios });
  return new SandboxProvider(settings, new SandboxLibrary(settings));
}

async function listAll(provider: SandboxProvider, filter?: VideoFilter): Promise<ProviderVideo[]> {
  const videos: ProviderVideo[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.doListVideos(
      { limit: 1_000, ...(cursor === undefined ? {} : { cursor }), ...(filter ? { filter } : {}) },
      call(),
    );
    videos.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return videos;
}

describe('sandbox listing', () => {
  it('keeps its place when listed videos are deleted between pages: the next page starts after the last one listed', async () => {
    const provider = sandbox(30, { processingRatio: 0, failedRatio: 0 });
    const first = await provider.doListVideos({ limit: 10 }, call());
    expect(first.items.map((video) => video.id)).toEqual(provider.library.order.slice(0, 10));
    // What a selection deleting as it lists does: deletes (some of) the page it just read.
    const deleted = first.items.slice(0, 6).map((video) => video.id);
    const outcomes = await provider.doDeleteVideos(deleted, call());
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill('DELETED'));
    const second = await provider.doListVideos({ limit: 10, cursor: first.nextCursor! }, call());
    // Keyed on (createdAt, id), not an offset: nothing moves up, nothing is skipped.
    expect(second.items.map((video) => video.id)).toEqual(provider.library.order.slice(10, 20));
  });

  it('filters 100,000 videos on dates and status into real subsets, exactly', async () => {
    const provider = sandbox(100_000);
    const everything = provider.library.order.map((id) =>
      provider.library.toProviderVideo(provider.library.videos.get(id)!),
    );
    const created = everything.map((video) => video.createdAt!.getTime());
    const filter: VideoFilter = {
      createdAfter: new Date(created[20_000]!),
      createdBefore: new Date(created[80_000]!),
      status: ['FAILED', 'PROCESSING'],
    };
    const expected = everything.filter((video) => videoMatchesFilter(video, filter)).map((video) => video.id);
    expect(expected.length).toBeGreaterThan(1_000);
    expect(expected.length).toBeLessThan(60_000);
    const listed = await listAll(provider, filter);
    expect(listed.map((video) => video.id)).toEqual(expected);
    // Each status alone selects a part of the library, not all of it or none.
    for (const status of ['READY', 'PROCESSING', 'FAILED'] as const) {
      const count = (await listAll(provider, { status: [status] })).length;
      expect(count, status).toBeGreaterThan(0);
      expect(count, status).toBeLessThan(100_000);
    }
  });

  it('lists a video added with an earlier creation date in its place', async () => {
    const provider = sandbox(5);
    const early = provider.library.add('READY', 'backdated', new Date(Date.UTC(2024, 0, 1)));
    const listed = await listAll(provider);
    expect(listed[0]?.id).toBe(early.id);
    expect(listed).toHaveLength(6);
  });

  it('refuses a cursor it did not make', async () => {
    const provider = sandbox(5);
    await expect(provider.doListVideos({ limit: 5, cursor: '12' }, call())).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});
