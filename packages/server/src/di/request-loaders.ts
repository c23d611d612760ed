import DataLoader from 'dataloader';
import { Lifecycle, inject, scoped } from 'tsyringe';
import { parseVideoId, type AccountRegistry, type DeletionEngine, type ItemRecord } from '@unreel/core';
import type { ProviderVideo } from '@unreel/provider-spec';
import { ACCOUNTS, ENGINE, TENANT } from './tokens.js';

/**
 * Per-request batching: every `Video` asked for in one request becomes one `doGetVideos` per account (chunked by
 * the provider's lookup batch size in the engine), and every `Video.deletion` one journal read. Both only ever see
 * the tenant's own: a video of another tenant's account is null, as an unknown one is. Container-scoped, so every
 * resolver of one request shares the same batches.
 */
@scoped(Lifecycle.ContainerScoped)
export class RequestLoaders {
  readonly videos: DataLoader<string, ProviderVideo | null>;
  readonly deletions: DataLoader<string, ItemRecord | null>;

  constructor(
    @inject(ENGINE) engine: DeletionEngine,
    @inject(TENANT) tenant: string,
    @inject(ACCOUNTS) accounts: AccountRegistry,
  ) {
    this.videos = new DataLoader((videoIds) => lookUpVideos(engine, accounts, videoIds));
    this.deletions = new DataLoader(async (videoIds) => {
      const latest = await engine.latestDeletions(tenant, videoIds);
      return videoIds.map((videoId) => latest.get(videoId) ?? null);
    });
  }
}

interface Wanted {
  /** Where in the batch the answer goes. */
  index: number;
  nativeId: string;
}

async function lookUpVideos(
  engine: DeletionEngine,
  accounts: AccountRegistry,
  videoIds: readonly string[],
): Promise<(ProviderVideo | null | Error)[]> {
  const results: (ProviderVideo | null | Error)[] = Array.from(videoIds, () => null);
  const lookups = [...groupByAccount(videoIds)]
    .filter(([account]) => accounts.get(account) !== undefined)
    .map(async ([account, wanted]) => {
      try {
        const videos = await engine.getVideos(
          account,
          wanted.map((entry) => entry.nativeId),
        );
        wanted.forEach((entry, position) => (results[entry.index] = videos[position] ?? null));
      } catch (error) {
        // One account failing must not take the others' videos down with it.
        for (const entry of wanted) results[entry.index] = error instanceof Error ? error : new Error(String(error));
      }
    });
  await Promise.all(lookups);
  return results;
}

function groupByAccount(videoIds: readonly string[]): Map<string, Wanted[]> {
  const byAccount = new Map<string, Wanted[]>();
  videoIds.forEach((videoId, index) => {
    const { account, nativeId } = parseVideoId(videoId);
    const wanted = byAccount.get(account);
    if (wanted) wanted.push({ index, nativeId });
    else byAccount.set(account, [{ index, nativeId }]);
  });
  return byAccount;
}
