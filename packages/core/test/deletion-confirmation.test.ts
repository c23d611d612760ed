import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '@unreel/provider-spec';
import type { DeletionConfirmation } from '../src/index.js';
import { drain, harness, ids } from './engine-harness.js';

const TENANT = 't1';
const confirmedAt = new Date('2026-11-25T10:00:00Z');

function confirmation(
  videoId: string,
  eventId: string,
  overrides: Partial<DeletionConfirmation> = {},
): DeletionConfirmation {
  return { type: 'video.deletion-confirmed', eventId, videoId, confirmedAt, success: true, ...overrides };
}

async function deleted(h: ReturnType<typeof harness>, videoIds: string[], operationId = 'op') {
  await h.engine.submit({ tenant: TENANT, ids: videoIds, operationId });
  return drain(h.engine.progress(TENANT, operationId));
}

describe('confirmDeletion (verified provider webhooks)', () => {
  it('records the confirmation on the deleted item as a new progress event, once per delivery id', async () => {
    const h = harness();
    const before = await deleted(h, ids(2));
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('recorded');
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('duplicate');
    // Another delivery about the same, already confirmed deletion changes nothing either.
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-2'))).toBe('unchanged');
    const replay = await drain(h.engine.progress(TENANT, 'op', { after: before.length }));
    expect(replay).toHaveLength(1);
    expect(replay[0]).toMatchObject({ sequence: 3, status: 'SUCCEEDED', completed: 2 });
    expect(replay[0]?.item).toMatchObject({ videoId: 'acc:v1', status: 'DELETED', confirmedAt });
    expect((await h.engine.latestDeletions(TENANT, ['acc:v2'])).get('acc:v2')?.confirmedAt).toBeNull();
  });

  it('applies a delivery and its redelivery arriving together once', async () => {
    const h = harness();
    const before = await deleted(h, ids(1));
    const results = await Promise.all(
      [1, 2, 3].map(() => h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-same'))),
    );
    expect(results.sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    expect(await drain(h.engine.progress(TENANT, 'op', { after: before.length }))).toHaveLength(1);
  });

  it('turns a deletion the provider reports failed afterwards into FAILED, and the operation with it', async () => {
    const h = harness();
    await deleted(h, ids(1));
    const error = { code: 'InvalidVideo.NotFound', message: 'The video does not exist.', retryable: false };
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-f', { success: false, error }))).toBe(
      'recorded',
    );
    const operation = await h.engine.getOperation(TENANT, 'op');
    expect(operation).toMatchObject({ status: 'FAILED', deleted: 0, failed: 1 });
    expect((await h.engine.latestDeletions(TENANT, ['acc:v1'])).get('acc:v1')).toMatchObject({
      status: 'FAILED',
      error,
      confirmedAt: null,
    });
  });

  it('knows a video is gone when the provider says so after we gave up on an ambiguous call', async () => {
    const h = harness({ limits: { maxAttempts: 1 } });
    h.provider.script = () => new ProviderUnavailableError({ message: 'gateway timeout' });
    await deleted(h, ids(1));
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({ status: 'FAILED' });
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-late'))).toBe('recorded');
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({ status: 'SUCCEEDED', deleted: 1, failed: 0 });
  });

  it('changes nothing for a video nothing here deleted, nor for another tenant, and remembers the delivery', async () => {
    const h = harness();
    await deleted(h, ids(1));
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('elsewhere', 'evt-x'))).toBe('unknown-video');
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('elsewhere', 'evt-x'))).toBe('duplicate');
    expect(await h.engine.confirmDeletion('t2', 'acc', confirmation('v1', 'evt-y'))).toBe('unknown-video');
    expect((await h.engine.latestDeletions(TENANT, ['acc:v1'])).get('acc:v1')?.confirmedAt).toBeNull();
  });

  it('ignores a late confirmation of a deletion that was restored since', async () => {
    const h = harness();
    await deleted(h, ids(1));
    expect((await h.engine.restoreVideo(TENANT, 'acc:v1')).restored).toBe(true);
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-old'))).toBe('unchanged');
    expect((await h.engine.latestDeletions(TENANT, ['acc:v1'])).get('acc:v1')).toMatchObject({
      status: 'RESTORED',
      confirmedAt: null,
    });
  });
});
