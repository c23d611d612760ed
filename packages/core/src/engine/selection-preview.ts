import type { ProviderVideo } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { VideoSelection } from '../model/operation.js';
import type { RetryContext } from './call-with-retry.js';
import type { SelectionPreview } from './engine-types.js';
import { withListedStatuses } from './selection-statuses.js';
import { listVideos } from './video-lookups.js';
import { matchesSelection, selectionFilter } from './video-selection.js';

export interface PreviewContext extends RetryContext {
  now: () => Date;
  pageSize: number;
  /** List calls at most; then the count is a lower bound. */
  maxCalls: number;
  /** Time at most, by the engine's clock, checked before each call. */
  maxMs: number;
}

/**
 * Counts the videos a selection matches by listing its account to the end, or until a bound says stop (then the count
 * is a lower bound, `complete: false`). One listing pass, nothing deleted meanwhile, so no pass is repeated; memory is
 * one page and the sample. `signal`: whoever asked went away (the HTTP request was aborted), so listing stops there,
 * the call in flight included, and this rejects with the signal's reason.
 */
export async function previewSelection(
  gate: AccountGate,
  selection: VideoSelection,
  sampleSize: number,
  context: PreviewContext,
  signal?: AbortSignal,
): Promise<SelectionPreview> {
  const started = context.now().getTime();
  const filter = selectionFilter(selection);
  const sample: ProviderVideo[] = [];
  let count = 0;
  let cursor: string | undefined;
  for (let calls = 0; ; calls += 1) {
    if (calls >= context.maxCalls || context.now().getTime() - started >= context.maxMs) {
      return { count, complete: false, sample };
    }
    signal?.throwIfAborted();
    const page = await listVideos(
      gate,
      { ...(cursor === undefined ? {} : { cursor }), limit: context.pageSize, filter },
      context,
      signal,
    );
    signal?.throwIfAborted();
    const items = await withListedStatuses(gate, page.items, selection, context, signal);
    for (const video of items) {
      if (!matchesSelection(video, selection)) continue;
      count += 1;
      if (sample.length < sampleSize) sample.push(video);
    }
    if (!page.nextCursor) return { count, complete: true, sample };
    cursor = page.nextCursor;
  }
}
