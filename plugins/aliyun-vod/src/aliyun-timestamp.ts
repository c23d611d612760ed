/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, the only form Alibaba's `Timestamp` parameter and `x-acs-date` header accept. */
export function formatAliyunTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Milliseconds since the epoch, or undefined when the text is not exactly `yyyy-MM-ddTHH:mm:ssZ`. */
export function parseAliyunTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-30 over to March; a real calendar date formats back to itself.
  return formatAliyunTimestamp(new Date(ms)) === text ? ms : undefined;
}
