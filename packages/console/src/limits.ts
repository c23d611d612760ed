import { LimitsDocument, type LimitsQuery } from '@unreel/client';
import { query } from './api.js';

let cached: Promise<LimitsQuery['limits']> | undefined;

/** The server's limits (`Query.limits`), asked once per page load; asked again after a failure (a wrong key). */
export function limits(): Promise<LimitsQuery['limits']> {
  cached ??= query(LimitsDocument, {}).then(({ limits: value }) => value);
  cached.catch(() => (cached = undefined));
  return cached;
}
