import {
  InvalidRequestError,
  type ProviderVideo,
  type ProviderVideoStatus,
  type VideoFilter,
} from '@unreel/provider-spec';

/**
 * Whether a listed video matches the whole filter: createdBefore strictly before, createdAfter at or after, status one
 * of those asked. A video without `createdAt` matches no time bound, since nobody can say it is inside the range.
 */
export function videoMatchesFilter(video: ProviderVideo, filter: VideoFilter | undefined): boolean {
  if (!filter) return true;
  const created = video.createdAt?.getTime();
  if (filter.createdBefore && (created === undefined || created >= filter.createdBefore.getTime())) return false;
  if (filter.createdAfter && (created === undefined || created < filter.createdAfter.getTime())) return false;
  if (filter.status && !filter.status.includes(video.status)) return false;
  return true;
}

/**
 * The provider's own status values that list exactly the unreel statuses asked, given how the plugin maps the
 * provider's statuses to unreel's. `undefined` when nothing was asked or when a status asked has no provider value
 * (UNKNOWN, DELETED): the plugin then lists every status and the host filters. An empty array: nothing can match.
 */
export function providerStatusesFor<Native extends string>(
  asked: readonly ProviderVideoStatus[] | undefined,
  mapping: Readonly<Record<Native, ProviderVideoStatus>>,
): Native[] | undefined {
  if (asked === undefined) return undefined;
  const natives = Object.keys(mapping) as Native[];
  const expressible = new Set(natives.map((native) => mapping[native]));
  if (asked.some((status) => !expressible.has(status))) return undefined;
  return natives.filter((native) => asked.includes(mapping[native]));
}

/**
 * A time range for an API that takes whole seconds, widened so that it holds every video of the exact range:
 * `start` is createdAfter rounded down, `end` createdBefore rounded up. Read inclusively or exclusively at the
 * provider, it loses nothing; the extra second at either end is trimmed by the host, which re-checks every video.
 */
export function wholeSecondRange(filter: VideoFilter | undefined): { start?: Date; end?: Date } {
  const range: { start?: Date; end?: Date } = {};
  if (filter?.createdAfter) range.start = new Date(Math.floor(filter.createdAfter.getTime() / 1_000) * 1_000);
  if (filter?.createdBefore) range.end = new Date(Math.ceil(filter.createdBefore.getTime() / 1_000) * 1_000);
  return range;
}

/** Where a listing that runs one provider listing per status value stands: which run, and that run's own cursor. */
export interface RunPosition {
  run: number;
  /** The run's own cursor; undefined at the run's first page. */
  inner: string | undefined;
}

export interface RunCursor {
  encode(position: RunPosition): string;
  /** `{ run: 0, inner: undefined }` without a cursor; INVALID_REQUEST for a cursor this codec did not make. */
  decode(cursor: string | undefined): RunPosition;
}

/**
 * A list cursor for an API whose status filter takes one value per call (Elytron, OmegaStream): a status set is
 * listed as one listing per provider value, one after the other, and the cursor says which run it is in.
 */
export function runCursor(provider: string, prefix: string): RunCursor {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{1,3})(?:~(.*))?$`, 's');
  return {
    encode: ({ run, inner }) => `${prefix}${run}${inner === undefined ? '' : `~${inner}`}`,
    decode(cursor) {
      if (cursor === undefined) return { run: 0, inner: undefined };
      const match = pattern.exec(cursor);
      if (!match) {
        throw new InvalidRequestError({
          message: `${provider}: the list cursor must be a nextCursor this plugin returned, got "${cursor.slice(0, 40)}"`,
        });
      }
      return { run: Number(match[1]), inner: match[2] };
    },
  };
}
