import { parseVideoId, type AccountRegistry } from '@unreel/core';
import type { RequestLoaders } from '../di/request-loaders.js';
import { toVideo } from './mappers.js';
import type { Video } from './types/video.type.js';

/**
 * A video by its unreel id through the request's DataLoader, so every lookup in one request (a query's, or the
 * gateway's `_entities`) shares one batch per account. Null for an account not configured here or an id its
 * provider does not have; a malformed id throws InvalidInputError.
 */
export async function findVideo(id: string, accounts: AccountRegistry, loaders: RequestLoaders): Promise<Video | null> {
  const { account } = parseVideoId(id);
  const configured = accounts.get(account);
  if (!configured) return null;
  const found = await loaders.videos.load(id);
  return found ? toVideo(account, configured.pluginId, found) : null;
}
