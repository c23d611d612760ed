/**
 * `Retry-After` in delta-seconds (RFC 9110), from the wait a limiter computed: rounded up and at least 1, so a client
 * that waits exactly that long never comes back to a window that is still closed.
 */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1_000));
}

/** `Retry-After` as an HTTP date, rounded up to a whole second for the same reason. */
export function retryAfterDate(waitMs: number, now = Date.now()): string {
  return new Date(Math.ceil((now + waitMs) / 1_000) * 1_000).toUTCString();
}
