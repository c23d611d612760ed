import { createHash } from 'node:crypto';
import type { ProviderVideo, ProviderVideoStatus, VideoFilter } from '@unreel/provider-spec';
import type { AccountRegistry } from '../accounts/account-registry.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { VideoSelection } from '../model/operation.js';

const STATUSES: ReadonlySet<string> = new Set<ProviderVideoStatus>([
  'PROCESSING',
  'READY',
  'FAILED',
  'DELETED',
  'UNKNOWN',
]);

/**
 * Checks a selection before anything is listed or journaled: the account is one the caller may touch (another
 * tenant's is as unknown as a typo) and can be listed, the dates are dates and leave room between them, the statuses
 * are known. Returns it normalised: statuses de-duplicated and sorted, an empty list meaning any status.
 */
export function acceptSelection(selection: VideoSelection, accounts: AccountRegistry): VideoSelection {
  const account = accounts.require(selection.account, 'selection.account');
  if (!account.provider.doListVideos) {
    throw new InvalidInputError(
      `Account "${selection.account}" (${account.provider.provider}) cannot list its videos, so it cannot be selected from`,
      'selection.account',
    );
  }
  const { createdBefore, createdAfter } = selection;
  for (const [field, date] of [
    ['createdBefore', createdBefore],
    ['createdAfter', createdAfter],
  ] as const) {
    if (date !== undefined && Number.isNaN(date.getTime())) {
      throw new InvalidInputError(`selection.${field} is not a valid date`, `selection.${field}`);
    }
  }
  if (createdBefore && createdAfter && createdAfter.getTime() >= createdBefore.getTime()) {
    throw new InvalidInputError(
      'selection.createdAfter must be before selection.createdBefore (createdAfter is inclusive, createdBefore exclusive)',
      'selection.createdAfter',
    );
  }
  const statuses = [...new Set(selection.statuses ?? [])].sort();
  const unknown = statuses.filter((status) => !STATUSES.has(status));
  if (unknown.length > 0) {
    throw new InvalidInputError(`Unknown video status ${unknown.join(', ')}`, 'selection.status');
  }
  return {
    account: selection.account,
    ...(createdBefore ? { createdBefore } : {}),
    ...(createdAfter ? { createdAfter } : {}),
    ...(statuses.length > 0 ? { statuses } : {}),
  };
}

/** maxItems, required with a selection: what one operation may journal, as an ids request may carry. */
export function acceptMaxItems(maxItems: number | undefined, maxIds: number): number {
  if (maxItems === undefined) {
    throw new InvalidInputError(`maxItems is required with selection (1 to ${maxIds})`, 'maxItems');
  }
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > maxIds) {
    throw new InvalidInputError(`maxItems must be an integer from 1 to ${maxIds}, got ${maxItems}`, 'maxItems');
  }
  return maxItems;
}

/**
 * Whether a listed video is one the selection asks for. The host checks every listed video itself, whatever the
 * provider filtered: a plugin may apply only part of the filter, or none. A video without `createdAt` has no creation
 * time to compare, so it never matches a date bound.
 */
export function matchesSelection(video: ProviderVideo, selection: VideoSelection): boolean {
  const { createdBefore, createdAfter, statuses } = selection;
  if (statuses && !statuses.includes(video.status)) return false;
  if (createdBefore || createdAfter) {
    const created = video.createdAt?.getTime();
    if (created === undefined || Number.isNaN(created)) return false;
    if (createdBefore && created >= createdBefore.getTime()) return false;
    if (createdAfter && created < createdAfter.getTime()) return false;
  }
  return true;
}

/** What the provider is asked to filter: the whole selection (it applies what it can). */
export function selectionFilter(selection: VideoSelection): VideoFilter {
  return {
    ...(selection.createdBefore ? { createdBefore: selection.createdBefore } : {}),
    ...(selection.createdAfter ? { createdAfter: selection.createdAfter } : {}),
    ...(selection.statuses ? { status: selection.statuses } : {}),
  };
}

/**
 * What makes a repeated operationId "the same request" for a selection: the normalised selection and maxItems, in a
 * namespace of their own so no set of ids hashes alike.
 */
export function fingerprintSelection(selection: VideoSelection, maxItems: number): string {
  const canonical = JSON.stringify({
    account: selection.account,
    createdBefore: selection.createdBefore?.toISOString() ?? null,
    createdAfter: selection.createdAfter?.toISOString() ?? null,
    statuses: selection.statuses ?? null,
    maxItems,
  });
  return createHash('sha256').update('selection\n').update(canonical).digest('hex');
}
