import type { AccountRegistry } from '../accounts/account-registry.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { parseVideoId } from '../ids/video-id.js';
import type { NewOperation } from '../store/operation-store.js';

const OPERATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export type AcceptedItem = Omit<NewOperation['items'][number], 'status'>;

/**
 * Checks a delete request before anything is journaled: the operationId, then the ids, parsed and de-duplicated in
 * first-seen order. Every account the request may not name is reported at once, so one answer fixes them all.
 */
export function acceptRequest(
  request: { ids: readonly string[]; operationId?: string | undefined },
  accounts: AccountRegistry,
  maxIds: number,
): AcceptedItem[] {
  const { ids, operationId } = request;
  acceptOperationId(operationId);
  if (ids.length === 0) throw new InvalidInputError('ids must contain at least one video id', 'ids');
  if (ids.length > maxIds)
    throw new InvalidInputError(`Too many ids: ${ids.length} given, at most ${maxIds} per operation`, 'ids');
  const items: AcceptedItem[] = [];
  const unknownAccounts = new Set<string>();
  for (const videoId of new Set(ids)) {
    const parsed = parseVideoId(videoId);
    if (!accounts.get(parsed.account)) unknownAccounts.add(parsed.account);
    items.push({ videoId, ...parsed });
  }
  if (unknownAccounts.size > 0) {
    const names = [...unknownAccounts].map((name) => `"${name}"`).join(', ');
    throw new InvalidInputError(`Unknown account${unknownAccounts.size > 1 ? 's' : ''} ${names}`, 'ids');
  }
  return items;
}

/** A client-chosen operationId, checked first whatever the request deletes. */
export function acceptOperationId(operationId: string | undefined): void {
  if (operationId !== undefined && !OPERATION_ID_PATTERN.test(operationId)) {
    throw new InvalidInputError(
      'operationId must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-"',
      'operationId',
    );
  }
}
