import type { AccountsQuery } from '@unreel/client';

export type Account = AccountsQuery['accounts'][number];

/** What deleting cannot take back on this account's provider, said before anything is sent. */
export function undoNotice(account: Account): string {
  const { restore, restoreWindowDays, deleteDelay } = account.capabilities;
  const held = deleteDelay ? ' Deletions on this account are held first and can be undone while they wait.' : '';
  if (!restore) return `${account.provider} cannot restore deleted videos: this is permanent.${held}`;
  const window = restoreWindowDays === null ? 'for as long as it keeps them' : `for ${restoreWindowDays} days`;
  return `${account.provider} keeps deleted videos ${window}: Undo restores them until then; after that it is permanent.${held}`;
}
