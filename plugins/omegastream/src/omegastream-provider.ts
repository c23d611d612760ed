import { z } from 'zod';
import { createProviderClient, itemFailure, providerStatusesFor, type ProviderHttpClient } from '@unreel/provider-kit';
import {
  InvalidRequestError,
  UnreelProviderError,
  type CallOptions,
  type DeleteOutcome,
  type ListVideosRequest,
  type PluginContextV1,
  type ProviderCapabilitiesV1,
  type ProviderVideo,
  type RestoreOutcome,
  type VideoPage,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import { decodeListCursor, encodeListCursor } from './omegastream-cursor.js';
import { classifyReason, describeOmegastreamError, reasonText } from './omegastream-errors.js';
import { parseFailedVideos } from './omegastream-failed-videos.js';
import { outcomeOfRefusal, refusalNeedsLookup, type Refusal, type VideoLookup } from './omegastream-refusal.js';
import type { OmegastreamSettings } from './omegastream-settings.js';
import {
  OMEGASTREAM_LIST_STATUSES,
  omegastreamPageSchema,
  omegastreamVideoSchema,
  toProviderVideo,
  type OmegastreamVideo,
} from './omegastream-video.js';

/** `{"uuids":[...]}` takes 1 to 50 uuids (delete_multiple_videos.md). */
const OMEGASTREAM_MAX_BATCH_SIZE = 50;
/** The largest list page the plugin asks for; no maximum is documented (the examples use 10). */
const OMEGASTREAM_MAX_PAGE_SIZE = 100;
/** Pages of `GET {base}/deleted` read to find a deleted video's status before giving up on knowing it. */
const DELETED_SCAN_MAX_PAGES = 20;

/** Paths under `{base}` that are routes, not videos: `{base}/<one of these>` never reaches `{base}/:uuid`. */
const RESERVED_SEGMENTS = new Set(['deleted', 'delete_videos', 'bulk_delete', 'revert_deletion', 'traffic']);

/** 4xx answers of a single-video call that are about that video, hence an outcome rather than a thrown error. */
const PER_VIDEO_STATUSES = [400, 403, 404, 409, 412, 422] as const;

const bulkAnswerSchema = z.looseObject({
  has_error: z.boolean().nullish(),
  videos_count: z.number().nullish(),
  updated_count: z.number().nullish(),
  failed_count: z.number().nullish(),
  failed_videos: z.unknown(),
});

/** OmegaStream's video API: soft deletes (single and up to 50 at once), revert, lookups and the list. */
export class OmegastreamProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'omegastream';
  readonly capabilities: ProviderCapabilitiesV1;
  private readonly http: ProviderHttpClient;
  private readonly settings: OmegastreamSettings;
  private readonly context: PluginContextV1;
  private readonly secrets: readonly string[];

  constructor(settings: OmegastreamSettings, context: PluginContextV1) {
    this.settings = settings;
    this.context = context;
    this.secrets = [settings.apiKey];
    this.capabilities = {
      maxBatchSize: OMEGASTREAM_MAX_BATCH_SIZE,
      // Soft delete with no documented retention: restorable, for as long as OmegaStream keeps the video.
      restore: settings.restoreWindowDays === undefined ? {} : { windowDays: settings.restoreWindowDays },
      ...(settings.requestsPerSecond === undefined ? {} : { requestsPerSecond: settings.requestsPerSecond }),
      // `status` is the list's only filter (`collection` is not unreel's); UNKNOWN has no OmegaStream value.
      listFilters: { status: ['PROCESSING', 'READY', 'FAILED'] },
    };
    this.http = createProviderClient({
      provider: 'omegastream',
      baseUrl: settings.baseUrl,
      fetch: context.fetch,
      timeoutMs: settings.timeoutMs,
      // Every endpoint page lists both headers, bodiless calls included.
      headers: {
        authorization: `Bearer ${settings.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      secrets: this.secrets,
      describeError: describeOmegastreamError,
    });
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    if (ids.length === 0 || ids.length > OMEGASTREAM_MAX_BATCH_SIZE) {
      throw new InvalidRequestError({
        message: `omegastream deletes 1 to ${OMEGASTREAM_MAX_BATCH_SIZE} videos per call, got ${ids.length}`,
      });
    }
    const outcomes = new Map<string, DeleteOutcome>();
    const sendable: string[] = [];
    for (const id of ids) {
      // No video can have a uuid that is a route name or holds a slash, so such an id names nothing.
      if (!isAddressable(id)) outcomes.set(id, { status: 'NOT_FOUND' });
      else if (!sendable.includes(id)) sendable.push(id);
    }
    // A batch of one goes to `DELETE {base}/:uuid`: its HTTP status says what happened to that one video, where the
    // bulk answer reports failures in an undocumented `failed_videos` shape; the endpoint is also in both doc versions.
    if (sendable.length === 1)
      for (const [id, outcome] of await this.deleteOne(sendable[0] as string, options)) outcomes.set(id, outcome);
    else if (sendable.length > 1)
      for (const [id, outcome] of await this.deleteMany(sendable, options)) outcomes.set(id, outcome);
    return ids.map((id) => outcomes.get(id) ?? { status: 'NOT_FOUND' });
  }

  async doRestoreVideo(id: string, options: CallOptions): Promise<RestoreOutcome> {
    if (!isAddressable(id)) return { status: 'NOT_FOUND' };
    const found = await this.findForRestore(id, options);
    if (found.kind === 'nothing') return { status: 'NOT_FOUND' };
    if (found.kind === 'forbidden') {
      return itemFailure(
        'FORBIDDEN',
        `OmegaStream does not let this API key restore ${id} (a video of another company)`,
      );
    }
    if (found.kind === 'present') {
      // On a later attempt, a video back in place is most likely our own earlier revert whose answer was lost.
      if (options.attempt > 1)
        return { status: 'RESTORED', video: toProviderVideo(found.video, this.settings.restoreWindowDays) };
      return itemFailure('NOT_DELETED', `OmegaStream video ${id} is not deleted; there is nothing to restore`);
    }
    // The status to restore to is the one the video had when deleted, which OmegaStream keeps on the deleted record.
    // It is looked up rather than remembered from the delete: a bulk delete answers no statuses, and a memory would
    // not survive a restart of unreel between the delete and the restore.
    const status = found.kind === 'deleted' ? (found.video.status ?? undefined) : undefined;
    const response = await this.http.request(`/revert_deletion/${encodeURIComponent(id)}`, {
      method: 'POST',
      signal: options.signal,
      ...(status === undefined ? {} : { searchParams: { status } }),
      allowStatus: PER_VIDEO_STATUSES,
    });
    if (response.status < 300) {
      const video =
        found.kind === 'deleted'
          ? toProviderVideo({ ...found.video, deleted_at: null }, this.settings.restoreWindowDays)
          : null;
      return { status: 'RESTORED', video };
    }
    const reason = reasonText(response.body);
    const said = reason ? `: "${reason}"` : '';
    const kind = classifyReason(reason);
    if (response.status === 404 || kind === 'NOT_FOUND') return { status: 'NOT_FOUND' };
    if (response.status === 403 || kind === 'FORBIDDEN') {
      return itemFailure('FORBIDDEN', `OmegaStream refused to restore ${id}${said}`, { secrets: this.secrets });
    }
    const code = kind === 'NOT_DELETED' ? 'NOT_DELETED' : 'INVALID_REQUEST';
    return itemFailure(code, `OmegaStream answered ${response.status} to restoring ${id}${said}`, {
      secrets: this.secrets,
    });
  }

  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    // No batch lookup exists (so the host sends one id per call): several ids are looked up one after the other.
    const videos: (ProviderVideo | null)[] = [];
    for (const id of ids) {
      const lookup = isAddressable(id) ? await this.getVideo(id, options) : ({ found: 'nothing' } as const);
      // A video of another company is not one this account has.
      videos.push(lookup.found === 'video' ? toProviderVideo(lookup.video, this.settings.restoreWindowDays) : null);
    }
    return videos;
  }

  /**
   * OmegaStream's `status` takes one value, so a status set is listed as one listing per OmegaStream status, one after
   * the other (the cursor says which). Page-number paging: a video deleted between two pages moves every later one up,
   * so a single pass that deletes as it lists skips as many videos as it deleted before them.
   */
  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1) {
      throw new InvalidRequestError({
        message: `omegastream: page limit must be a positive integer, got ${page.limit}`,
      });
    }
    const statuses = providerStatusesFor(page.filter?.status, OMEGASTREAM_LIST_STATUSES);
    const cursor =
      page.cursor === undefined
        ? { page: 1, perPage: Math.min(page.limit, OMEGASTREAM_MAX_PAGE_SIZE), run: 0 }
        : decodeListCursor(page.cursor);
    if (cursor.perPage > page.limit) {
      throw new InvalidRequestError({
        message: `omegastream: this cursor pages by ${cursor.perPage} videos; ask for at least ${cursor.perPage} per page`,
      });
    }
    const status = statuses?.[cursor.run];
    if (statuses !== undefined && status === undefined) return { items: [], nextCursor: null };
    // The list lives at the base itself: `GET https://api.omegastream.net/company/client/video?page&limit&status`.
    const searchParams = { page: cursor.page, limit: cursor.perPage, ...(status === undefined ? {} : { status }) };
    const response = await this.http.request('', {
      method: 'GET',
      signal: options.signal,
      searchParams,
      schema: omegastreamPageSchema,
    });
    const envelope = response.body;
    const data = envelope.data ?? [];
    const items = data.map((video) => toProviderVideo(video, this.settings.restoreWindowDays));
    // The provider may serve fewer per page than asked; later pages must be counted in its page size.
    const perPage =
      envelope.per_page != null && envelope.per_page >= 1
        ? Math.min(envelope.per_page, cursor.perPage)
        : cursor.perPage;
    const current = envelope.page ?? cursor.page;
    let next: number | undefined;
    if (envelope.next != null && envelope.next > current) next = envelope.next;
    else if (envelope.total_page != null && current < envelope.total_page) next = current + 1;
    if (next !== undefined && data.length > 0)
      return { items, nextCursor: encodeListCursor({ page: next, perPage, run: cursor.run }) };
    const nextRun = cursor.run + 1;
    return {
      items,
      nextCursor:
        statuses !== undefined && nextRun < statuses.length
          ? encodeListCursor({ page: 1, perPage: cursor.perPage, run: nextRun })
          : null,
    };
  }

  private async deleteOne(id: string, options: CallOptions): Promise<Map<string, DeleteOutcome>> {
    const response = await this.http.request(`/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      signal: options.signal,
      allowStatus: PER_VIDEO_STATUSES,
    });
    // 204 (current docs) or 200 {"message":"video is not available anymore"} (older docs).
    if (response.status < 300) return new Map([[id, { status: 'DELETED' }]]);
    if (response.status === 404) return new Map([[id, { status: 'NOT_FOUND' }]]);
    const reason = reasonText(response.body);
    let kind = classifyReason(reason);
    // A 403 is about who owns the video, unless its words say it is the precondition answered under 403.
    if (response.status === 403 && !['NOT_YET_DELETABLE', 'IN_PROCESSING', 'TOO_RECENT'].includes(kind))
      kind = 'FORBIDDEN';
    return this.resolveRefusals([{ id, reason, kind }], options);
  }

  private async deleteMany(ids: readonly string[], options: CallOptions): Promise<Map<string, DeleteOutcome>> {
    const path = `/${this.settings.bulkPath}`;
    // The call reached OmegaStream and may have deleted: an unreadable answer is ambiguous, INVALID_RESPONSE.
    const response = await this.http.request(path, {
      method: 'DELETE',
      signal: options.signal,
      json: { uuids: ids },
      allowStatus: [404, 405],
      schema: bulkAnswerSchema,
    });
    if (!response.ok) {
      const other = this.settings.bulkPath === 'delete_videos' ? 'bulk_delete' : 'delete_videos';
      throw new InvalidRequestError({
        status: response.status,
        message:
          `omegastream answered ${response.status} to DELETE …${path}: this account does not serve that bulk path ` +
          `(setting bulkPath "${this.settings.bulkPath}"; the other one is "${other}")`,
      });
    }
    const answer = response.body;
    const failed = parseFailedVideos(answer.failed_videos);
    const batch = new Set(ids);
    const strangers = [...failed.reasons.keys()].filter((uuid) => !batch.has(uuid));
    const refused = ids.filter((id) => failed.reasons.has(id));
    const trusted =
      failed.unreadable === 0 &&
      strangers.length === 0 &&
      (answer.failed_count == null || answer.failed_count === refused.length) &&
      (answer.updated_count == null || answer.updated_count === ids.length - refused.length) &&
      !(answer.has_error === true && refused.length === 0);
    const refusals: Refusal[] = refused.map((id) => {
      const reason = failed.reasons.get(id);
      return { id, reason, kind: classifyReason(reason) };
    });
    if (trusted) {
      const outcomes = await this.resolveRefusals(refusals, options);
      for (const id of ids) if (!outcomes.has(id)) outcomes.set(id, { status: 'DELETED' });
      return outcomes;
    }
    // The counts and failed_videos disagree (or name other videos): ask each unnamed video how it is now.
    this.context.logger.warn('omegastream bulk answer does not say which videos failed; looking them up', {
      account: this.context.account,
      videos: ids.length,
      failedCount: answer.failed_count ?? null,
      failedNamed: refused.length,
      unreadableEntries: failed.unreadable + strangers.length,
    });
    const outcomes = await this.resolveRefusals(refusals, options);
    for (const id of ids) {
      if (outcomes.has(id)) continue;
      // An unnamed video is a refusal without a reason: its lookup alone says whether it went (deleted_at), never
      // existed, or is still there and why.
      const lookup = await this.lookupQuietly(id, options);
      const outcome =
        lookup.found === 'unknown'
          ? itemFailure(
              'PROVIDER_ERROR',
              `OmegaStream's bulk answer left the fate of ${id} unclear and it could not be looked up`,
              { retryable: true },
            )
          : outcomeOfRefusal({ id, reason: undefined, kind: 'UNKNOWN' }, lookup, Date.now(), this.secrets);
      outcomes.set(id, outcome);
    }
    return outcomes;
  }

  /** Looks up, one after the other, the refused videos whose reason alone does not settle their outcome. */
  private async resolveRefusals(
    refusals: readonly Refusal[],
    options: CallOptions,
  ): Promise<Map<string, DeleteOutcome>> {
    const outcomes = new Map<string, DeleteOutcome>();
    for (const refusal of refusals) {
      const lookup = refusalNeedsLookup(refusal.kind) ? await this.lookupQuietly(refusal.id, options) : undefined;
      outcomes.set(refusal.id, outcomeOfRefusal(refusal, lookup, Date.now(), this.secrets));
    }
    return outcomes;
  }

  /**
   * A lookup made after the delete call was answered: its failure must not throw, or the host would retry a delete
   * that already happened for the other videos of the batch. Only the host aborting stops it.
   */
  private async lookupQuietly(id: string, options: CallOptions): Promise<VideoLookup> {
    try {
      return await this.getVideo(id, options);
    } catch (error) {
      if (options.signal.aborted && !UnreelProviderError.isInstance(error)) throw error;
      this.context.logger.warn('omegastream lookup of a refused video failed', {
        account: this.context.account,
        videoId: id,
        error: UnreelProviderError.isInstance(error) ? error.code : 'unknown',
      });
      return { found: 'unknown' };
    }
  }

  private async getVideo(id: string, options: CallOptions): Promise<Exclude<VideoLookup, { found: 'unknown' }>> {
    const response = await this.http.request(`/${encodeURIComponent(id)}`, {
      method: 'GET',
      signal: options.signal,
      allowStatus: [403, 404] as const,
      schema: omegastreamVideoSchema,
    });
    if (response.ok) return { found: 'video', video: response.body };
    return { found: response.status === 404 ? 'nothing' : 'forbidden' };
  }

  /**
   * Finds a video to restore: `GET {base}/:uuid` first (the model's `deleted_at` marks a deleted video); when that
   * hides deleted videos, the deleted list, page by page.
   */
  private async findForRestore(
    id: string,
    options: CallOptions,
  ): Promise<
    { kind: 'deleted' | 'present'; video: OmegastreamVideo } | { kind: 'nothing' | 'forbidden' | 'unlisted' }
  > {
    const lookup = await this.getVideo(id, options);
    if (lookup.found === 'forbidden') return { kind: 'forbidden' };
    if (lookup.found === 'video') return { kind: lookup.video.deleted_at ? 'deleted' : 'present', video: lookup.video };
    for (let page = 1; page <= DELETED_SCAN_MAX_PAGES; page += 1) {
      const searchParams = { page, limit: OMEGASTREAM_MAX_PAGE_SIZE };
      const response = await this.http.request('/deleted', {
        method: 'GET',
        signal: options.signal,
        searchParams,
        schema: omegastreamPageSchema,
      });
      const envelope = response.body;
      const match = envelope.data?.find((video) => video.uuid === id);
      if (match) return { kind: 'deleted', video: match };
      const last = envelope.total_page ?? 0;
      const more = (envelope.next != null && envelope.next > page) || page < last;
      if ((envelope.data?.length ?? 0) === 0 || !more) return { kind: 'nothing' };
    }
    // Too many deleted videos to scan: revert without a status and let OmegaStream say whether it has the video.
    return { kind: 'unlisted' };
  }
}

function isAddressable(id: string): boolean {
  return id.trim() !== '' && !id.includes('/') && !RESERVED_SEGMENTS.has(id);
}
