import type { VideoSelectionInput, VideoStatus } from '@unreel/client';
import { usageError } from './exit-codes.js';

/** The flags of `unreel delete` that select videos by filter rather than by id. */
export interface SelectionFlags {
  account?: string;
  createdBefore?: string;
  createdAfter?: string;
  /** Each `--status` as given; a value may list several, comma-separated. */
  status?: string[];
  maxItems?: string;
  dryRun?: boolean;
}

const STATUSES: readonly VideoStatus[] = ['PROCESSING', 'READY', 'FAILED', 'DELETED', 'UNKNOWN'];

/** `2026-01-01` (midnight UTC) or a date-time with its zone; a zone-less time would mean this machine's, silently. */
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i;

/** Whether any selection flag was given: then the command deletes by selection, and ids are a usage error. */
export function hasSelectionFlags(flags: SelectionFlags): boolean {
  return (
    flags.account !== undefined ||
    flags.createdBefore !== undefined ||
    flags.createdAfter !== undefined ||
    flags.status !== undefined ||
    flags.maxItems !== undefined
  );
}

/**
 * The selection the flags describe, checked before anything is sent so a typo is named by its flag. The server checks
 * again (the account, the order of the dates); this catches what can be told without it.
 */
export function selectionFrom(flags: SelectionFlags): VideoSelectionInput {
  if (flags.account === undefined || flags.account.trim() === '') {
    throw usageError('--account is required to delete by selection (--created-before, --created-after, --status)');
  }
  const statuses = (flags.status ?? []).flatMap((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  const unknown = statuses.filter((status) => !STATUSES.includes(status.toUpperCase() as VideoStatus));
  if (unknown.length > 0) {
    throw usageError(`--status ${unknown.join(', ')} is not a video status: use ${STATUSES.join(', ')}`);
  }
  const createdBefore = parseDate('--created-before', flags.createdBefore);
  const createdAfter = parseDate('--created-after', flags.createdAfter);
  return {
    account: flags.account,
    ...(createdBefore === undefined ? {} : { createdBefore }),
    ...(createdAfter === undefined ? {} : { createdAfter }),
    ...(statuses.length > 0 ? { status: [...new Set(statuses.map((s) => s.toUpperCase() as VideoStatus))] } : {}),
  };
}

/** `--max-items`, required for a real run: how many videos at most this one operation deletes. */
export function maxItemsFrom(flags: SelectionFlags): number {
  if (flags.maxItems === undefined) {
    throw usageError(
      '--max-items <n> is required to delete by selection: the most videos this operation deletes (--dry-run shows how many match)',
    );
  }
  const maxItems = Number(flags.maxItems);
  if (!/^\d+$/.test(flags.maxItems) || !Number.isSafeInteger(maxItems) || maxItems < 1) {
    throw usageError(`--max-items must be a whole number >= 1, got ${JSON.stringify(flags.maxItems)}`);
  }
  return maxItems;
}

function parseDate(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = ISO_DATE.exec(value);
  const date = match ? new Date(match[2] ? value : `${value}T00:00:00Z`) : undefined;
  if (!match || !date || Number.isNaN(date.getTime()) || !dayExists(match[1] ?? '')) {
    throw usageError(
      `${flag} must be an ISO date (2026-01-01, midnight UTC) or date-time with a zone (2026-01-01T12:00:00Z), got ${JSON.stringify(value)}`,
    );
  }
  return date.toISOString();
}

/** 2026-02-30 is no day (Date would roll it over to March): the calendar day must survive a round trip. */
function dayExists(day: string): boolean {
  const midnight = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(midnight.getTime()) && midnight.toISOString().slice(0, 10) === day;
}
