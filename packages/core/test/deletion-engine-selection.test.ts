import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RateLimitedError, UnauthorizedError, type ProviderVideo } from '@unreel/provider-spec';
import { describe, expect, it } from 'vitest';
import {
  AccountRegistry,
  IdempotencyConflictError,
  InvalidInputError,
  SqliteOperationStore,
  defaultAccountLimits,
  type ProgressEvent,
  type VideoSelection,
} from '../src/index.js';
import { drain, harness, type Harness } from './engine-harness.js';
import { FakeProvider } from './fake-provider.js';
import { ListingFakeProvider, heldUntilAborted } from './listing-fake-provider.js';

const TENANT = 'default';
/** Generous: the machine is shared, and these wait for states, never for time. */
const POLL = { timeout: 10_000 };
const CUTOFF = new Date('2026-01-01T00:00:00Z');
const SELECTION: VideoSelection = { account: 'acc', createdBefore: CUTOFF, statuses: ['READY', 'FAILED'] };

/**
 * `count` videos: every third one created after the cutoff, every fourth one PROCESSING, every fifth one listed
 * without a creation time; the rest match SELECTION.
 */
function library(count: number): ProviderVideo[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    const createdAt = new Date(CUTOFF.getTime() + (n % 3 === 0 ? 1 : -1) * (n + 1) * 60_000);
    return {
      id: `v${n}`,
      title: `video ${n}`,
      status: n % 4 === 0 ? 'PROCESSING' : n % 7 === 0 ? 'FAILED' : 'READY',
      ...(n % 5 === 0 ? {} : { createdAt }),
    };
  });
}

function matching(videos: readonly ProviderVideo[]): string[] {
  return videos
    .filter((video) => video.createdAt !== undefined && video.createdAt < CUTOFF && video.status !== 'PROCESSING')
    .map((video) => video.id);
}

function listingHarness(
  videos: ProviderVideo[],
  options: { pageSize?: number; store?: Harness['store']; maxBatchSize?: number } = {},
): Harness & { provider: ListingFakeProvider } {
  const provider = new ListingFakeProvider({ maxBatchSize: options.maxBatchSize ?? 5 });
  provider.library = videos;
  const h = harness({
    provider,
    ...(options.store ? { store: options.store } : {}),
    engineOptions: { listPageSize: options.pageSize ?? 10 },
  });
  return { ...h, provider };
}

/** Native ids in every delete call, in order: a video deleted twice would show twice. */
function deleteCalls(provider: FakeProvider): string[] {
  return provider.calls.flatMap((call) => call.ids);
}

function expectGapless(events: readonly ProgressEvent[]): void {
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
}

async function finished(h: Harness, operationId: string) {
  await expect.poll(async () => (await h.engine.getOperation(TENANT, operationId))?.status, POLL).not.toBe('RUNNING');
  const operation = await h.engine.getOperation(TENANT, operationId);
  if (!operation) throw new Error(`no operation ${operationId}`);
  return operation;
}

describe('delete by selection', () => {
  it('previews a count that the deletion then matches exactly, each video once, with every item announced', async () => {
    const videos = library(120);
    const expected = matching(videos);
    const h = listingHarness(videos);

    const preview = await h.engine.previewSelection(SELECTION, 3);
    expect(preview).toMatchObject({ count: expected.length, complete: true });
    expect(preview.sample.map((video) => video.id)).toEqual(expected.slice(0, 3));
    // The preview changed nothing.
    expect(h.provider.calls).toEqual([]);

    const { operation, created } = await h.engine.submit({
      tenant: TENANT,
      selection: SELECTION,
      maxItems: 1_000,
      operationId: 'sel',
    });
    expect(created).toBe(true);
    expect(operation.selection).toMatchObject({ discovery: 'DISCOVERING', maxItems: 1_000 });
    const events = await drain(h.engine.progress(TENANT, 'sel'));
    const done = await finished(h, 'sel');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: expected.length, deleted: expected.length });
    expect(done.selection?.discovery).toBe('DONE');
    expect(deleteCalls(h.provider).sort()).toEqual([...expected].sort());

    // Each item: announced PENDING as discovered, then one final event; total only grows, and the last event ends it.
    expectGapless(events);
    const byItem = new Map<string, string[]>();
    for (const event of events)
      byItem.set(event.item.nativeId, [...(byItem.get(event.item.nativeId) ?? []), event.item.status]);
    expect([...byItem.values()].every((statuses) => statuses.join() === 'PENDING,DELETED')).toBe(true);
    expect(byItem.size).toBe(expected.length);
    const totals = events.map((event) => event.total);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    // The stream completed; its last event is the last item's, or (when discovery ended after the last item closed)
    // the operation finished without an event of its own, as the journal says.
    expect(events.at(-1)).toMatchObject({ discovery: 'DONE', total: expected.length });
  });

  it('re-lists from the start until a pass finds nothing new: a listing shifted by deletions skips nothing', async () => {
    const videos = Array.from({ length: 30 }, (_, index) => ({
      id: `v${index + 1}`,
      title: null,
      status: 'READY' as const,
      createdAt: new Date(CUTOFF.getTime() - 60_000),
    }));
    const h = listingHarness(videos);
    // The second page is listed only once the first page's videos are deleted: its offset now skips ten videos.
    h.provider.beforeList = async (call) => {
      if (call === 2) await expect.poll(() => h.provider.deleted.size, POLL).toBe(10);
    };
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 100, operationId: 'shift' });
    const done = await finished(h, 'shift');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: 30, deleted: 30 });
    expect(deleteCalls(h.provider).sort()).toEqual(videos.map((video) => video.id).sort());
    // Pass 1 missed v11..v20; pass 2 found them; pass 3 found nothing new.
    expect(done.selection).toMatchObject({ discovery: 'DONE', pass: 3 });
    // Each pass after the first starts once what was journaled is deleted: pass 2 lists only v11..v20, pass 3 nothing.
    expect(h.provider.listCalls.map((call) => call.cursor ?? 'start')).toEqual(['start', '10', 'start', 'start']);
  });

  it('lists each later pass while deletions hold still, and sends what it found once it ends', async () => {
    const created = new Date(CUTOFF.getTime() - 60_000);
    const videos: ProviderVideo[] = [
      ...Array.from({ length: 25 }, (_, index) => ({
        id: `v${index + 1}`,
        title: null,
        status: 'READY' as const,
        createdAt: created,
      })),
      // Never matching, listed last: the quiet pass ends on a page with nothing new.
      ...Array.from({ length: 10 }, (_, index) => ({
        id: `p${index + 1}`,
        title: null,
        status: 'PROCESSING' as const,
        createdAt: created,
      })),
    ];
    const h = listingHarness(videos);
    const deletedAtCall: number[] = [];
    h.provider.beforeList = async (call) => {
      if (call === 2) await expect.poll(() => h.provider.deleted.size, POLL).toBe(10);
      deletedAtCall.push(h.provider.deleted.size);
    };
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 100, operationId: 'quiet' });
    const done = await finished(h, 'quiet');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: 25, deleted: 25 });
    expect(done.selection).toMatchObject({ discovery: 'DONE', pass: 3 });
    // Three passes, each from the start; pass 2 lists page after page while nothing is deleted, and its last page
    // (the processing videos) finds nothing new; what it found is deleted before pass 3, which finds nothing.
    const starts = h.provider.listCalls.flatMap((call, index) => (call.cursor === undefined ? [index] : []));
    expect(starts).toHaveLength(3);
    const [, second = 0, third = 0] = starts;
    expect(third - second).toBeGreaterThanOrEqual(2);
    expect(new Set(deletedAtCall.slice(second, third)).size).toBe(1);
    expect(deletedAtCall[third]).toBe(25);
  });

  it('fills batches across discovered pages: only the last one may be short', async () => {
    const videos = library(200);
    const expected = matching(videos);
    const h = listingHarness(videos, { maxBatchSize: 7 });
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 1_000, operationId: 'full' });
    const done = await finished(h, 'full');
    expect(done).toMatchObject({ status: 'SUCCEEDED', deleted: expected.length });
    const sizes = h.provider.calls.map((call) => call.ids.length);
    expect(sizes.slice(0, -1).every((size) => size === 7)).toBe(true);
    expect(sizes).toHaveLength(Math.ceil(expected.length / 7));
  });

  it('stops at maxItems: CAPPED, no more listing, exactly that many deleted', async () => {
    const videos = library(200);
    const h = listingHarness(videos);
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 15, operationId: 'cap' });
    const done = await finished(h, 'cap');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: 15, deleted: 15 });
    expect(done.selection?.discovery).toBe('CAPPED');
    // Fifteen distinct matching videos (which ones depends on how far deletions shifted the listing meanwhile).
    const deleted = deleteCalls(h.provider);
    expect(new Set(deleted).size).toBe(15);
    expect(deleted.every((id) => matching(videos).includes(id))).toBe(true);
    const listed = h.provider.listCalls.length;
    // Pages of ten with about half matching: the cap was reached within a few pages, and listing stopped there.
    expect(listed).toBeLessThan(10);
  });

  it('resumes discovery after a crash from the journaled cursor: nothing skipped, nothing deleted twice', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'unreel-selection-')), 'journal.db');
    const videos = library(60);
    const expected = matching(videos);
    // One id a call, so no batch of page 1 waits for page 2 to fill it.
    const first = listingHarness(videos, { store: new SqliteOperationStore({ path: file }), maxBatchSize: 1 });
    // The second list call never answers in this life: the process dies with page 1 journaled.
    first.provider.beforeList = (call, signal) => (call === 2 ? heldUntilAborted(signal) : undefined);
    await first.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 1_000, operationId: 'crash' });
    const pageOne = matching(videos.slice(0, 10));
    await expect.poll(() => first.provider.deleted.size, POLL).toBe(pageOne.length);
    await expect.poll(() => first.provider.listCalls.length, POLL).toBe(2);
    await first.engine.close();
    await first.store.close();

    const journaled = new SqliteOperationStore({ path: file });
    const second = listingHarness(videos, { store: journaled, maxBatchSize: 1 });
    // The same provider state: what the first life deleted is gone.
    for (const id of first.provider.deleted) second.provider.deleted.add(id);
    second.provider.beforeList = () => undefined;
    expect(await second.engine.resume()).toBe(1);
    const done = await finished(second, 'crash');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: expected.length });
    expect(done.deleted + done.notFound).toBe(expected.length);
    // Resumed where the journal said: page 1 was journaled with cursor 10, and page 1's videos are gone, so its
    // shifted offset is re-read by later passes, never by deleting anything twice.
    expect(second.provider.listCalls[0]?.cursor).toBe('10');
    const all = [...deleteCalls(first.provider), ...deleteCalls(second.provider)];
    expect(all.sort()).toEqual([...expected].sort());
    await journaled.close();
  });

  it('cancel stops discovery and deletion: nothing listed after it is deleted, and the operation ends CANCELLED', async () => {
    const videos = library(60);
    const h = listingHarness(videos, { maxBatchSize: 1 });
    let releaseList = (): void => {};
    h.provider.beforeList = (call) =>
      call === 2 ? new Promise<void>((resolve) => (releaseList = resolve)) : undefined;
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 1_000, operationId: 'stop' });
    const pageOne = matching(videos.slice(0, 10));
    await expect.poll(() => h.provider.deleted.size, POLL).toBe(pageOne.length);
    await expect.poll(() => h.provider.listCalls.length, POLL).toBe(2);
    const cancelled = await h.engine.cancelOperation(TENANT, 'stop');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', total: pageOne.length, deleted: pageOne.length });
    expect(cancelled.selection?.discovery).toBe('CANCELLED');
    releaseList();
    // The page in flight when the cancel came is journaled nowhere and deletes nothing.
    await expect.poll(() => h.engine.runningOperations().size, POLL).toBe(0);
    expect(await h.engine.getOperation(TENANT, 'stop')).toMatchObject({ total: pageOne.length });
    expect(deleteCalls(h.provider).sort()).toEqual([...pageOne].sort());
    expect(h.provider.listCalls).toHaveLength(2);
  });

  it('ends an empty selection at once, and the progress stream completes with no event', async () => {
    const h = listingHarness(library(30));
    const nothing: VideoSelection = { account: 'acc', createdAfter: new Date('2030-01-01T00:00:00Z') };
    expect(await h.engine.previewSelection(nothing, 5)).toEqual({ count: 0, complete: true, sample: [] });
    await h.engine.submit({ tenant: TENANT, selection: nothing, maxItems: 10, operationId: 'empty' });
    expect(await drain(h.engine.progress(TENANT, 'empty'))).toEqual([]);
    expect(await h.engine.getOperation(TENANT, 'empty')).toMatchObject({ status: 'SUCCEEDED', total: 0 });
    const waited = await h.engine.waitForOperation(TENANT, 'empty', 10_000);
    expect(waited.selection?.discovery).toBe('DONE');
  });

  it('ends discovery FAILED when the provider refuses to list, after deleting what was found', async () => {
    const videos = library(40);
    const h = listingHarness(videos);
    h.provider.listFailure = (call) =>
      call === 2 ? new UnauthorizedError({ message: 'the key was revoked' }) : undefined;
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 100, operationId: 'refused' });
    const done = await finished(h, 'refused');
    const pageOne = matching(videos.slice(0, 10));
    expect(done).toMatchObject({ status: 'PARTIALLY_FAILED', total: pageOne.length, deleted: pageOne.length });
    expect(done.selection).toMatchObject({ discovery: 'FAILED', error: { code: 'UNAUTHORIZED' } });
  });

  it('keeps listing through a throttled spell longer than the account retries one call', async () => {
    const videos = library(40);
    const h = listingHarness(videos);
    // Calls 2 to 9 are throttled: two rounds of the account's retries (maxAttempts 5 each by default) and more.
    h.provider.listFailure = (call) =>
      call >= 2 && call <= 9 ? new RateLimitedError({ message: 'slow down', retryAfterMs: 1 }) : undefined;
    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 100, operationId: 'busy' });
    const done = await finished(h, 'busy');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: matching(videos).length });
    expect(done.selection?.discovery).toBe('DONE');
  });

  it('a repeated operationId is the same operation only with the same selection and maxItems', async () => {
    const h = listingHarness(library(20));
    const request = { tenant: TENANT, selection: SELECTION, maxItems: 50, operationId: 'again' };
    const first = await h.engine.submit(request);
    const reordered = { ...SELECTION, statuses: ['FAILED', 'READY', 'READY'] as const };
    const second = await h.engine.submit({
      ...request,
      selection: { ...reordered, statuses: [...reordered.statuses] },
    });
    expect(second).toMatchObject({ created: false, operation: { id: first.operation.id } });
    await expect(h.engine.submit({ ...request, maxItems: 51 })).rejects.toSatisfy(IdempotencyConflictError.isInstance);
    await expect(h.engine.submit({ ...request, selection: { ...SELECTION, statuses: ['READY'] } })).rejects.toSatisfy(
      IdempotencyConflictError.isInstance,
    );
    await expect(h.engine.submit({ tenant: TENANT, ids: ['acc:v1'], operationId: 'again' })).rejects.toSatisfy(
      IdempotencyConflictError.isInstance,
    );
    await finished(h, 'again');
  });

  it('refuses bad requests naming the field, before anything is listed or journaled', async () => {
    const h = listingHarness(library(10), { pageSize: 10 });
    const bad = async (request: Parameters<typeof h.engine.submit>[0], field: string) => {
      const error: unknown = await h.engine.submit(request).catch((caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error) && error.field).toBe(field);
    };
    await bad({ tenant: TENANT }, 'ids');
    await bad({ tenant: TENANT, ids: ['acc:v1'], selection: SELECTION, maxItems: 5 }, 'selection');
    await bad({ tenant: TENANT, ids: ['acc:v1'], maxItems: 5 }, 'maxItems');
    await bad({ tenant: TENANT, selection: SELECTION }, 'maxItems');
    await bad({ tenant: TENANT, selection: SELECTION, maxItems: 0 }, 'maxItems');
    await bad({ tenant: TENANT, selection: SELECTION, maxItems: 10_001 }, 'maxItems');
    await bad({ tenant: TENANT, selection: { ...SELECTION, account: 'nope' }, maxItems: 5 }, 'selection.account');
    await bad(
      { tenant: TENANT, selection: { account: 'acc', createdAfter: CUTOFF, createdBefore: CUTOFF }, maxItems: 5 },
      'selection.createdAfter',
    );
    await bad({ tenant: TENANT, selection: SELECTION, maxItems: 5, operationId: 'has space' }, 'operationId');
    // Another tenant's account is as unknown as a typo.
    const mine = new AccountRegistry([]);
    await bad({ tenant: TENANT, selection: SELECTION, maxItems: 5, accounts: mine }, 'selection.account');
    await expect(h.engine.previewSelection(SELECTION, 5, mine)).rejects.toMatchObject({ field: 'selection.account' });
    await expect(h.engine.previewSelection(SELECTION, 101)).rejects.toMatchObject({ field: 'sample' });
    // An account whose provider cannot list cannot be selected from.
    const unlisted = new FakeProvider();
    const plain = new AccountRegistry([
      { name: 'acc', pluginId: 'fake', provider: unlisted, limits: defaultAccountLimits(unlisted), deleteDelayMs: 0 },
    ]);
    await bad({ tenant: TENANT, selection: SELECTION, maxItems: 5, accounts: plain }, 'selection.account');
    expect(h.provider.listCalls).toEqual([]);
    expect((await h.engine.listOperations(TENANT, { first: 10 })).operations).toEqual([]);
  });

  it('answers a lower bound when the preview reaches its bound on list calls', async () => {
    const videos = library(100);
    const h = harness({
      provider: Object.assign(new ListingFakeProvider(), { library: videos }),
      engineOptions: { listPageSize: 10, selectionPreviewMaxCalls: 3 },
    });
    const preview = await h.engine.previewSelection(SELECTION, 0);
    expect(preview).toEqual({ count: matching(videos.slice(0, 30)).length, complete: false, sample: [] });
  });

  it('looks up what a listing without statuses lists as UNKNOWN, in lookup batches, before matching a status', async () => {
    const videos = library(90);
    const expected = matching(videos);
    const provider = new StatuslessListingProvider({ maxBatchSize: 5, maxLookupBatchSize: 4 });
    provider.library = videos;
    const h = harness({ provider, engineOptions: { listPageSize: 10 } });

    const preview = await h.engine.previewSelection(SELECTION, 2);
    expect(preview).toMatchObject({ count: expected.length, complete: true });
    expect(preview.sample.map((video) => [video.id, video.status])).toEqual(
      expected.slice(0, 2).map((id) => [id, videos.find((video) => video.id === id)?.status]),
    );
    // Only what matched the dates was looked up, never more ids a call than the provider takes.
    const datedUnknown = videos.filter((video) => video.createdAt !== undefined && video.createdAt < CUTOFF);
    expect(provider.lookups.flat().sort()).toEqual(datedUnknown.map((video) => video.id).sort());
    expect(Math.max(...provider.lookups.map((ids) => ids.length))).toBe(4);

    await h.engine.submit({ tenant: TENANT, selection: SELECTION, maxItems: 1_000, operationId: 'statusless' });
    const done = await finished(h, 'statusless');
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: expected.length, deleted: expected.length });
    expect(deleteCalls(h.provider).sort()).toEqual([...expected].sort());

    // Without a status to match, nothing is looked up: what is left before the cutoff is what was PROCESSING.
    provider.lookups.length = 0;
    const any = await h.engine.previewSelection({ account: 'acc', createdBefore: CUTOFF }, 0);
    expect(any.count).toBe(datedUnknown.filter((video) => video.status === 'PROCESSING').length);
    expect(provider.lookups).toEqual([]);
  });

  it('stops listing a preview whose caller went away, the call in flight included', async () => {
    const videos = library(100);
    const provider = new ListingFakeProvider();
    provider.library = videos;
    let heldCall: ((reason: unknown) => void) | undefined;
    provider.beforeList = (call, signal) => {
      if (call !== 3) return undefined;
      return new Promise<void>((_, reject) => {
        heldCall = reject;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    };
    const h = harness({ provider, engineOptions: { listPageSize: 10 } });
    const caller = new AbortController();
    const preview = h.engine.previewSelection(SELECTION, 0, undefined, caller.signal);
    await expect.poll(() => provider.listCalls.length, POLL).toBe(3);
    caller.abort(new Error('the client hung up'));
    await expect(preview).rejects.toThrow('the client hung up');
    expect(heldCall).toBeDefined();
    expect(provider.listCalls).toHaveLength(3);
  });
});

/** Lists as api.video does, every video UNKNOWN, and answers lookups with the real status. */
class StatuslessListingProvider extends ListingFakeProvider {
  readonly lookups: string[][] = [];

  override async doListVideos(...args: Parameters<ListingFakeProvider['doListVideos']>) {
    const page = await super.doListVideos(...args);
    return { ...page, items: page.items.map((video) => ({ ...video, status: 'UNKNOWN' as const })) };
  }

  override async doGetVideos(ids: readonly string[]): Promise<(ProviderVideo | null)[]> {
    this.lookups.push([...ids]);
    return ids.map((id) => {
      const video = this.library.find((candidate) => candidate.id === id);
      if (!video) return null;
      return { ...video, status: this.deleted.has(id) ? 'DELETED' : video.status };
    });
  }
}
