import type { CallOptions, ListVideosRequest, ProviderVideo, VideoPage } from '@unreel/provider-spec';
import { FakeProvider } from './fake-provider.js';

/**
 * A FakeProvider that also lists its library the way offset-paged APIs do: the cursor is an offset into the videos not
 * deleted now, so deleting while listing shifts later pages (what delete by selection must survive). It ignores the
 * filter, like a plugin written before filters existed: the host must filter.
 */
export class ListingFakeProvider extends FakeProvider {
  library: ProviderVideo[] = [];
  readonly listCalls: { cursor: string | undefined; limit: number }[] = [];
  /** Awaited before answering list call `call` (1-based): how a test holds the listing at a point it chooses. */
  beforeList: (call: number, signal: AbortSignal) => Promise<void> | void = () => undefined;
  /** Thrown instead of answering list call `call`, when it returns one. */
  listFailure: (call: number) => Error | undefined = () => undefined;

  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    this.listCalls.push({ cursor: page.cursor, limit: page.limit });
    const call = this.listCalls.length;
    await this.beforeList(call, options.signal);
    const failure = this.listFailure(call);
    if (failure) throw failure;
    const remaining = this.library.filter((video) => !this.deleted.has(video.id));
    const offset = Number(page.cursor ?? 0);
    const items = remaining.slice(offset, offset + page.limit).map((video) => ({ ...video }));
    const next = offset + page.limit;
    return { items, nextCursor: next < remaining.length ? String(next) : null };
  }
}

/** Resolves when `signal` aborts (a held call given up at shutdown), or never. */
export function heldUntilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}
