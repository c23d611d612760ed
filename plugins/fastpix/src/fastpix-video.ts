import { z } from 'zod';
import type { ProviderVideo, ProviderVideoStatus } from '@unreel/provider-spec';

/** Media `status` as FastPix documents it; an open enum, so any other string may arrive. */
type FastPixMediaStatus =
  | 'Created'
  | 'Downloading'
  | 'Downloaded'
  | 'Validating'
  | 'In Queue'
  | 'Processing'
  | 'Ready'
  | 'Failed'
  | (string & {});

/** The fields of a FastPix media (`GetMediaResponse` / `GetAllMediaResponse`) unreel reads; the rest pass through. */
export interface FastPixMedia {
  id: string;
  status?: FastPixMediaStatus;
  title?: string | null;
  metadata?: Record<string, string> | null;
  createdAt?: string;
  updatedAt?: string;
  [field: string]: unknown;
}

const statuses: Readonly<Record<string, ProviderVideoStatus>> = {
  Created: 'PROCESSING',
  Downloading: 'PROCESSING',
  Downloaded: 'PROCESSING',
  Validating: 'PROCESSING',
  'In Queue': 'PROCESSING',
  Processing: 'PROCESSING',
  Ready: 'READY',
  Failed: 'FAILED',
};

/** Exact, case-sensitive match on the documented values: a value FastPix adds later is UNKNOWN, not a guess. */
function videoStatusOf(status: unknown): ProviderVideoStatus {
  return typeof status === 'string' && Object.hasOwn(statuses, status)
    ? (statuses[status] as ProviderVideoStatus)
    : 'UNKNOWN';
}

export function toProviderVideo(media: FastPixMedia): ProviderVideo {
  const createdAt = parseDate(media.createdAt);
  return {
    id: media.id,
    title: titleOf(media),
    status: videoStatusOf(media.status),
    ...(createdAt ? { createdAt } : {}),
    // FastPix deletes permanently: a media it still returns is never a deleted one.
    deletedAt: null,
    restorableUntil: null,
  };
}

export function isFastPixMedia(value: unknown): value is FastPixMedia {
  return value != null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string';
}

/** `title` is a media field since the update-media API; older media carry it, if at all, as a metadata key. */
function titleOf(media: FastPixMedia): string | null {
  if (typeof media.title === 'string' && media.title !== '') return media.title;
  const fromMetadata = media.metadata?.title;
  return typeof fromMetadata === 'string' && fromMetadata !== '' ? fromMetadata : null;
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** `GET /on-demand/{mediaId}`: `{ success, data: media }`; a media is anything with a string id, the rest is read loosely. */
export const fastpixMediaAnswerSchema = z.looseObject({
  data: z.looseObject({ id: z.string() }).transform((media) => media as FastPixMedia),
});

/**
 * `GET /on-demand`: `{ success, data: [media], pagination }`. An entry without an id is skipped rather than failing the
 * page; a page without its `data` array is not a page.
 */
export const fastpixMediaListAnswerSchema = z.looseObject({
  data: z.array(z.unknown()),
  pagination: z.looseObject({ totalRecords: z.unknown() }).nullish(),
});
