import { describe, expect, it } from 'vitest';
import { UnreelProviderError } from '@unreel/provider-spec';
import { readVideoBody, readVideoListBody, toProviderVideo } from '../src/elytron-video.js';

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

  it('reads the video from data or data.video, and a page wrapped or bare', () => {
    expect(readVideoBody({ data: video, meta: {} }, 'GET /videos/x').video_id).toBe(video.video_id);
    expect(readVideoBody({ data: { video }, meta: {} }, 'GET /videos/x').video_id).toBe(video.video_id);
    const page = { videos: [video], total: 1, limit: 20, offset: 0 };
    expect(readVideoListBody({ data: page, meta: {} }, 'GET /videos')).toEqual({ videos: [video], total: 1 });
    expect(readVideoListBody(page, 'GET /videos')).toEqual({ videos: [video], total: 1 });
  });

  it('refuses a body that is not a video, naming the request and the field, not retryable', () => {
    for (const [body, where] of [
      [{ data: { status: 'completed' } }, 'data.video_id'],
      ['<html>', 'body'],
      [{ data: { videos: [{ ...video, status: 7 }], total: 1 } }, 'videos.0.status'],
    ] as const) {
      const read = where.startsWith('videos')
        ? () => readVideoListBody(body, 'GET /videos')
        : () => readVideoBody(body, 'GET /videos/x');
      let error: unknown;
      try {
        read();
      } catch (caught) {
        error = caught;
      }
      expect(UnreelProviderError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
      expect((error as Error).message).toMatch(
        new RegExp(`^elytron answered GET /videos(/x)? with an unexpected body \\(${where.replaceAll('.', '\\.')}: `),
      );
    }
  });
});
