import { describe, expect, it } from 'vitest';
import { ProviderResponseError } from '@unreel/provider-spec';
import { parseResponse } from '@unreel/provider-kit';
import { elytronListBodySchema, elytronVideoBodySchema, toProviderVideo } from '../src/elytron-video.js';

const readVideoBody = (body: unknown) =>
  parseResponse(elytronVideoBodySchema, { status: 200, body }, { provider: 'elytron', request: 'GET /videos/x' });
const readVideoListBody = (body: unknown) =>
  parseResponse(elytronListBodySchema, { status: 200, body }, { provider: 'elytron', request: 'GET /videos' });

// Reading bodies is pure; the simulator only ever sends well-formed ones, so the odd cases are checked here.
describe('Elytron videos', () => {
  const video = {
    video_id: '6f1c1d2e-0000-4000-8000-000000000001',
    status: 'completed',
    prompt: 'A red fox at dawn',
    created_at: '2025-06-01T10:00:00Z',
  };

  it('maps the four documented statuses, and anything else to UNKNOWN', () => {
    const mapped = ['pending', 'processing', 'completed', 'failed', 'archived', 'constructor'].map(
      (status) => toProviderVideo({ ...video, status }).status,
    );
    expect(mapped).toEqual(['PROCESSING', 'PROCESSING', 'READY', 'FAILED', 'UNKNOWN', 'UNKNOWN']);
  });

  it('titles a video by its prompt and leaves out what it cannot read', () => {
    expect(toProviderVideo(video)).toEqual({
      id: video.video_id,
      title: 'A red fox at dawn',
      status: 'READY',
      createdAt: new Date('2025-06-01T10:00:00Z'),
    });
    expect(
      toProviderVideo({ video_id: video.video_id, status: 'failed', prompt: null, created_at: 'last Tuesday' }),
    ).toEqual({
      id: video.video_id,
      title: null,
      status: 'FAILED',
    });
  });

  it('reads the video from data or data.video, and a page wrapped or bare', async () => {
    expect((await readVideoBody({ data: video, meta: {} })).video_id).toBe(video.video_id);
    expect((await readVideoBody({ data: { video }, meta: {} })).video_id).toBe(video.video_id);
    const page = { videos: [video], total: 1, limit: 20, offset: 0 };
    expect(await readVideoListBody({ data: page, meta: {} })).toEqual({ videos: [video], total: 1 });
    expect(await readVideoListBody(page)).toEqual({ videos: [video], total: 1 });
  });

  it('refuses a body that is not a video as INVALID_RESPONSE, naming the request and the field, retryable', async () => {
    for (const [body, what] of [
      [{ data: { status: 'completed' } }, 'a body of an unexpected shape (body.data.video_id: '],
      ['<html>', 'a body that is not JSON'],
      [
        { data: { videos: [{ ...video, status: 7 }], total: 1 } },
        'a body of an unexpected shape (body.videos[0].status: ',
      ],
    ] as const) {
      const list = what.includes('videos[');
      const error = await (list ? readVideoListBody(body) : readVideoBody(body)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ProviderResponseError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'INVALID_RESPONSE', retryable: true });
      expect((error as Error).message).toContain(`elytron answered 200 to GET /videos${list ? '' : '/x'} with ${what}`);
    }
  });
});
