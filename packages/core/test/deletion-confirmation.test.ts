import { describe, expect, it, vi } from 'vitest';
import { ProviderUnavailableError } from '@unreel/provider-spec';
import type { DeletionConfirmation, ItemsObservation } from '../src/index.js';
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
  it('sets confirmedAt on a deletion already recorded without a second final event, once per delivery id', async () => {
    const h = harness();
    const before = await deleted(h, ids(2));
    expect(before.map((event) => [event.sequence, event.item.status])).toEqual([
      [1, 'DELETED'],
      [2, 'DELETED'],
    ]);
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('recorded');
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('duplicate');
    // Another delivery about the same, already confirmed deletion changes nothing either.
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-2'))).toBe('unchanged');
    // A replay sees what a live subscriber saw: the outcome was final at our own call's answer.
    expect(await drain(h.engine.progress(TENANT, 'op'))).toEqual(before);
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({ status: 'SUCCEEDED', lastSequence: 2 });
    expect((await h.engine.latestDeletions(TENANT, ['acc:v1'])).get('acc:v1')).toMatchObject({
      status: 'DELETED',
      confirmedAt,
    });
    expect((await h.engine.latestDeletions(TENANT, ['acc:v2'])).get('acc:v2')?.confirmedAt).toBeNull();
  });

  it('makes a confirmation that comes while our call is in flight the one final event; the answer adds no other', async () => {
    const counted: ItemsObservation[] = [];
    const h = harness({
      observer: { providerCall() {}, retry() {}, items: (observation) => counted.push(observation) },
    });
    const release = h.provider.hold();
    await h.engine.submit({ tenant: TENANT, ids: ids(1), operationId: 'op' });
    await vi.waitFor(() => expect(h.provider.inFlight).toBe(1));
    const live = drain(h.engine.progress(TENANT, 'op'));
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('recorded');
    // The confirmation finished the operation, so a live subscriber is done before the answer comes.
    const seen = await live;
    expect(seen.map((event) => [event.sequence, event.item.status, event.item.confirmedAt, event.status])).toEqual([
      [1, 'DELETED', confirmedAt, 'SUCCEEDED'],
    ]);
    release();
    await vi.waitFor(() => expect(h.engine.runningOperations().size).toBe(0));
    expect(h.provider.calls).toHaveLength(1);
    expect(await drain(h.engine.progress(TENANT, 'op'))).toEqual(seen);
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({
      status: 'SUCCEEDED',
      deleted: 1,
      lastSequence: 1,
    });
    // The answer added what only it knew: how long the provider keeps the video restorable.
    const item = (await h.engine.latestDeletions(TENANT, ['acc:v1'])).get('acc:v1');
    expect(item).toMatchObject({ status: 'DELETED', confirmedAt, attempts: 1, ambiguous: false });
    expect(item?.restorableUntil).not.toBeNull();
    // The item was journaled DELETED once, by the confirmation, and counted once.
    expect(counted).toEqual([{ account: 'acc', provider: 'fake', status: 'DELETED', count: 1 }]);
  });

  it('keeps a confirmed deletion when our own call, answered afterwards, says it failed', async () => {
    const h = harness();
    const release = h.provider.hold();
    h.provider.script = (videoIds) =>
      videoIds.map(() => ({
        status: 'FAILED' as const,
        error: { code: 'FORBIDDEN', message: 'not yours', retryable: false },
      }));
    await h.engine.submit({ tenant: TENANT, ids: ids(1), operationId: 'op' });
    await vi.waitFor(() => expect(h.provider.inFlight).toBe(1));
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('recorded');
    release();
    await vi.waitFor(() => expect(h.engine.runningOperations().size).toBe(0));
    const events = await drain(h.engine.progress(TENANT, 'op'));
    expect(events.map((event) => [event.sequence, event.item.status])).toEqual([[1, 'DELETED']]);
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({ status: 'SUCCEEDED', deleted: 1, failed: 0 });
  });

  it('applies a delivery and its redelivery arriving together once', async () => {
    // A deletion we gave up on, so that the confirmation is a new outcome, with an event to count.
    const h = harness({ limits: { maxAttempts: 1 } });
    h.provider.script = () => new ProviderUnavailableError({ message: 'gateway timeout' });
    const before = await deleted(h, ids(1));
    const results = await Promise.all(
      [1, 2, 3].map(() => h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-same'))),
    );
    expect(results.sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    const after = await drain(h.engine.progress(TENANT, 'op', { after: before.length }));
    expect(after.map((event) => [event.item.status, event.item.confirmedAt])).toEqual([['DELETED', confirmedAt]]);
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

  it('does not confirm a deletion that was cancelled before it was sent', async () => {
    const h = harness({ deleteDelayMs: 60_000 });
    await h.engine.submit({ tenant: TENANT, ids: ids(1), operationId: 'op' });
    expect(await h.engine.cancelOperation(TENANT, 'op')).toMatchObject({ status: 'CANCELLED', cancelled: 1 });
    // Whoever deleted the video at the provider since, it was not this operation: its item stays CANCELLED.
    expect(await h.engine.confirmDeletion(TENANT, 'acc', confirmation('v1', 'evt-1'))).toBe('unchanged');
    expect((await h.engine.latestDeletions(TENANT, ['acc:v1'])).get('acc:v1')).toMatchObject({
      status: 'CANCELLED',
      confirmedAt: null,
    });
    expect(await h.engine.getOperation(TENANT, 'op')).toMatchObject({ status: 'CANCELLED', lastSequence: 1 });
  });
});
