import { reasonText } from './omegastream-errors.js';

export interface FailedVideos {
  /** uuid -> the provider's reason, `undefined` when it gave none. */
  reasons: Map<string, string | undefined>;
  /** Entries that named no uuid we could read: the answer cannot be trusted to say which videos failed. */
  unreadable: number;
}

/**
 * `failed_videos` is only ever documented as `{}`. Every plausible shape is read: a map keyed by uuid whose value is a
 * reason (a string, or an object with a message), and a list of uuids or of objects carrying a `uuid`.
 */
export function parseFailedVideos(value: unknown): FailedVideos {
  const reasons = new Map<string, string | undefined>();
  let unreadable = 0;
  if (value == null) return { reasons, unreadable };
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (typeof entry === 'string' && entry !== '') reasons.set(entry, undefined);
      else if (entry != null && typeof entry === 'object' && typeof (entry as { uuid?: unknown }).uuid === 'string') {
        reasons.set((entry as { uuid: string }).uuid, reasonText(entry));
      } else unreadable += 1;
    }
    return { reasons, unreadable };
  }
  if (typeof value === 'object') {
    for (const [uuid, reason] of Object.entries(value as Record<string, unknown>)) {
      // A reason that is `true` or `null` says only that it failed.
      reasons.set(uuid, reasonText(reason));
    }
    return { reasons, unreadable };
  }
  return { reasons, unreadable: 1 };
}
