/**
 * What a doorbell says, and nothing more: who rang (so a process ignores its own), how far the operation's journal
 * grew (absent for "created"), and when it was rung (for the lag metric). Never an event: the journal is the source,
 * and a payload would make Redis a second copy that can disagree with it.
 */
export interface Doorbell {
  readonly origin: string;
  readonly sequence?: number | undefined;
  readonly publishedAt: number;
}

export function encodeDoorbell({ origin, sequence, publishedAt }: Doorbell): string {
  return JSON.stringify(
    sequence === undefined ? { o: origin, t: publishedAt } : { o: origin, s: sequence, t: publishedAt },
  );
}

/** Undefined for anything that is not a doorbell (another program on the same channel): it is ignored. */
export function decodeDoorbell(message: string): Doorbell | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { o, s, t } = parsed as { o?: unknown; s?: unknown; t?: unknown };
  if (typeof o !== 'string' || typeof t !== 'number') return undefined;
  return { origin: o, sequence: typeof s === 'number' ? s : undefined, publishedAt: t };
}
