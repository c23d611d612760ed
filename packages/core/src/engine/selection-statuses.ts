import type { ProviderVideo } from '@unreel/provider-spec';
import type { AccountGate } from '../accounts/account-gate.js';
import type { VideoSelection } from '../model/operation.js';
import type { RetryContext } from './call-with-retry.js';
import { getVideos } from './video-lookups.js';
import { matchesSelection } from './video-selection.js';

/**
 * A listed page with the statuses its listing did not say. A provider whose list carries no status (api.video) lists
 * every video UNKNOWN, so a selection by status would match nothing there: when the selection filters by status, the
 * videos listed UNKNOWN that match the rest of it are looked up (doGetVideos, in the provider's lookup batches, through
 * the account's gate and its rate budget) and take the status that answers; one gone by then is left out. Without a
 * status filter, or with no UNKNOWN on the page, the page is returned as listed and nothing is called.
 */
export async function withListedStatuses(
  gate: AccountGate,
  videos: readonly ProviderVideo[],
  selection: VideoSelection,
  context: RetryContext,
  signal?: AbortSignal,
): Promise<ProviderVideo[]> {
  if (!selection.statuses) return [...videos];
  const { statuses: _statuses, ...unfiltered } = selection;
  const unknown = videos.filter((video) => video.status === 'UNKNOWN' && matchesSelection(video, unfiltered));
  if (unknown.length === 0) return [...videos];
  const found = await getVideos(
    gate,
    unknown.map((video) => video.id),
    context,
    signal,
  );
  const statusOf = new Map<string, ProviderVideo['status'] | null>(
    unknown.map((video, index) => [video.id, found[index]?.status ?? null]),
  );
  const result: ProviderVideo[] = [];
  for (const video of videos) {
    if (!statusOf.has(video.id)) {
      result.push(video);
      continue;
    }
    const status = statusOf.get(video.id);
    if (status) result.push({ ...video, status });
  }
  return result;
}
