import DataLoader from 'dataloader';
import { parseVideoId, type AccountRegistry, type DeletionEngine, type ItemRecord } from '@unreel/core';
import type { ProviderVideo } from '@unreel/provider-spec';

/**
 * Per-request batching: every `Video` asked for in one request becomes one `doGetVideos` per account (chunked by
 * the provider's lookup batch size in the engine), and every `Video.deletion` one journal read. Both only ever see
 * the tenant's own: a video of another tenant's account is null, as an unknown one is.
 */
export class RequestLoaders {
  readonly videos: DataLoader<string, ProviderVideo | null>;
  readonly deletions: DataLoader<string, ItemRecord | null>;

  constructor(engine: DeletionEngine, tenant: string, accounts: AccountRegistry) {
    this.videos = new DataLoader(async (videoIds) => {
      const byAccount = new Map<string, { index: number; nativeId: string }[]>();
      videoIds.forEach((videoId, index) => {
        const { account, nativeId } = parseVideoId(videoId);
        const list = byAccount.get(account) ?? [];
        list.push({ index, nativeId });
        byAccount.set(account, list);
      });
      const results: (ProviderVideo | null | Error)[] = new Array(videoIds.length).fill(null);
      await Promise.all(
        [...byAccount].filter(([account]) => accounts.get(account) !== undefined).map(async ([account, entries]) => {
          try {
            const videos = await engine.getVideos(account, entries.map((entry) => entry.nativeId));
            entries.forEach((entry, position) => (results[entry.index] = videos[position] ?? null));
          } catch (error) {
            // One account failing must not take the others' videos down with it.
            for (const entry of entries) results[entry.index] = error instanceof Error ? error : new Error(String(error));
          }
        }),
      );
      return results;
    });
    this.deletions = new DataLoader(async (videoIds) => {
      const latest = await engine.latestDeletions(tenant, videoIds);
      return videoIds.map((videoId) => latest.get(videoId) ?? null);
    });
  }
}
