/**
 * Reads how long a provider asked us to wait, from whichever header it uses:
 * - `Retry-After`: seconds or an HTTP date (RFC 9110);
 * - `X-RateLimit-Retry-After`: seconds (api.video);
 * - `X-RateLimit-Reset`: undocumented format at Elytron, so epoch seconds, epoch milliseconds, an ISO date or
 *   seconds-until are all accepted, told apart by magnitude.
 * Returns milliseconds, capped at `maxMs`, or undefined when no header says anything usable.
 */
export type RetryAfterHeader = 'retry-after' | 'x-ratelimit-retry-after' | 'x-ratelimit-reset';

export function parseRetryAfterMs(
  headers: Headers,
  options: { now?: number; maxMs?: number; only?: readonly RetryAfterHeader[] } = {},
): number | undefined {
  const now = options.now ?? Date.now();
  const maxMs = options.maxMs ?? 60_000;
  const read = (name: RetryAfterHeader): string | null =>
    options.only && !options.only.includes(name) ? null : headers.get(name);
  const candidates = [
    parseDelta(read('retry-after'), now, false),
    parseDelta(read('x-ratelimit-retry-after'), now, false),
    parseDelta(read('x-ratelimit-reset'), now, true),
  ];
  const found = candidates.find((value) => value !== undefined);
  if (found === undefined) return undefined;
  return Math.min(Math.max(0, Math.ceil(found)), maxMs);
}

const EPOCH_SECONDS_FLOOR = 1_000_000_000; // 2001-09-09: smaller numbers are durations, not instants
const EPOCH_MILLISECONDS_FLOOR = 1_000_000_000_000;

function parseDelta(raw: string | null, now: number, mayBeEpoch: boolean): number | undefined {
  if (raw === null) return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    const number = Number(value);
    if (mayBeEpoch && number >= EPOCH_MILLISECONDS_FLOOR) return number - now;
    if (mayBeEpoch && number >= EPOCH_SECONDS_FLOOR) return number * 1000 - now;
    return number * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - now;
}
