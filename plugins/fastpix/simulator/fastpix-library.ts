import {
  seededRandom,
  type SimulatedPresence,
  type SimulatedVideoState,
  titleWord,
} from '@unreel/provider-kit/simulator';

/** The statuses FastPix documents for a media on its way to `Ready`. */
export const IN_FLIGHT_STATUSES = [
  'Created',
  'Downloading',
  'Downloaded',
  'Validating',
  'In Queue',
  'Processing',
] as const;

export interface SimulatedMedia {
  id: string;
  /** FastPix's DELETE takes "either `uploadId` or `id`". */
  uploadId: string;
  title: string;
  /** Any string: FastPix's enum is open, and tests seed values it does not document. */
  status: string;
  /** This workspace's access token may read the media but not delete it (FastPix's 403). */
  forbidden: boolean;
  createdAt: Date;
  updatedAt: Date;
  playbackId: string;
  durationSeconds: number;
}

export interface MediaSeed {
  status?: string;
  title?: string;
  forbidden?: boolean;
}

export interface LibraryOptions {
  seed: number;
  videoCount: number;
  /** Shares of the seeded library; the rest is `Ready`. */
  processingRatio: number;
  failedRatio: number;
  forbiddenRatio: number;
}

const SEEDED_EPOCH = Date.UTC(2025, 0, 9, 6, 44, 44);

/** One simulated FastPix workspace: its media in creation order, and which ids it deleted for good. */
export class FastPixLibrary {
  readonly workspaceId: string;
  private readonly random: () => number;
  private readonly media = new Map<string, SimulatedMedia>();
  private readonly uploadIds = new Map<string, string>();
  /** Creation order, which is also `orderBy=asc`. */
  private ordered: SimulatedMedia[] = [];
  private lastCreatedAt = 0;
  private inFlightTurn = 0;

  constructor(options: LibraryOptions) {
    this.random = seededRandom(options.seed);
    this.workspaceId = this.uuid();
    for (let index = 0; index < options.videoCount; index += 1) {
      const roll = this.random();
      const processing = roll < options.processingRatio;
      const failed = !processing && roll < options.processingRatio + options.failedRatio;
      const forbidden =
        !processing && !failed && roll < options.processingRatio + options.failedRatio + options.forbiddenRatio;
      const word = titleWord(this.random());
      this.add(
        {
          status: processing ? this.nextInFlight() : failed ? 'Failed' : 'Ready',
          title: `${word} #${index + 1}`,
          forbidden,
        },
        new Date(SEEDED_EPOCH + index * 60_000),
      );
    }
  }

  add(seed: MediaSeed, createdAt = new Date()): SimulatedMedia {
    // Strictly increasing creation times keep `orderBy` a total order even for media added in the same millisecond.
    const created = Math.max(createdAt.getTime(), this.lastCreatedAt + 1);
    this.lastCreatedAt = created;
    const id = this.uuid();
    const media: SimulatedMedia = {
      id,
      uploadId: this.uuid(),
      title: seed.title ?? `Video ${id.slice(0, 8)}`,
      status: seed.status ?? 'Ready',
      forbidden: seed.forbidden ?? false,
      createdAt: new Date(created),
      updatedAt: new Date(created + 9_000),
      playbackId: this.uuid(),
      durationSeconds: 5 + Math.floor(this.random() * 600),
    };
    this.media.set(id, media);
    this.uploadIds.set(media.uploadId, id);
    this.ordered.push(media);
    return media;
  }

  /** The conformance suite's states in FastPix terms; PROCESSING walks through every in-flight status. */
  addState(state: SimulatedVideoState, title?: string): SimulatedMedia {
    const status = state === 'PROCESSING' ? this.nextInFlight() : 'Ready';
    return this.add({ status, forbidden: state === 'FORBIDDEN', ...(title === undefined ? {} : { title }) });
  }

  get(id: string): SimulatedMedia | undefined {
    return this.media.get(id);
  }

  /** DELETE's lookup: a media id or its upload id. */
  resolve(mediaId: string): SimulatedMedia | undefined {
    return this.media.get(mediaId) ?? this.media.get(this.uploadIds.get(mediaId) ?? '');
  }

  /** FastPix deletes permanently: the media, its upload id and its place in every list are gone. */
  remove(media: SimulatedMedia): void {
    this.media.delete(media.id);
    this.uploadIds.delete(media.uploadId);
    this.ordered = this.ordered.filter((entry) => entry !== media);
  }

  stateOf(id: string): SimulatedPresence {
    return this.resolve(id) ? 'PRESENT' : 'GONE';
  }

  list(orderBy: 'asc' | 'desc'): readonly SimulatedMedia[] {
    return orderBy === 'asc' ? this.ordered : [...this.ordered].reverse();
  }

  ids(): string[] {
    return this.ordered.map((media) => media.id);
  }

  /** A well-formed media id no media has. */
  unusedId(): string {
    let id = this.uuid();
    while (this.resolve(id)) id = this.uuid();
    return id;
  }

  private nextInFlight(): string {
    const status = IN_FLIGHT_STATUSES[this.inFlightTurn % IN_FLIGHT_STATUSES.length] as string;
    this.inFlightTurn += 1;
    return status;
  }

  /** A version-4 UUID from the seeded generator, so the same seed gives the same ids. */
  private uuid(): string {
    const bytes = Array.from({ length: 16 }, () => Math.floor(this.random() * 256));
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** A media as `GET /on-demand/{mediaId}` and the list return it (`GetMediaResponse`). */
export function mediaJson(media: SimulatedMedia, workspaceId: string): Record<string, unknown> {
  const ready = media.status === 'Ready';
  return {
    thumbnail: ready ? `https://images.fastpix.com/${media.playbackId}/thumbnail.png` : null,
    id: media.id,
    workspaceId,
    metadata: {},
    mediaQuality: 'standard',
    title: media.title,
    maxResolution: '1080p',
    sourceResolution: '1080p',
    status: media.status,
    mp4Support: 'none',
    sourceAccess: false,
    playbackIds: [
      {
        id: media.playbackId,
        accessPolicy: 'public',
        accessRestrictions: {
          domains: { defaultPolicy: 'allow', allow: [], deny: [] },
          userAgents: { defaultPolicy: 'allow', allow: [], deny: [] },
        },
      },
    ],
    tracks: ready
      ? [{ id: media.uploadId, type: 'video', width: 1920, height: 1080, frameRate: '30/1', status: 'available' }]
      : [],
    isAudioOnly: false,
    subtitleAvailable: false,
    duration: formatDuration(media.durationSeconds),
    aspectRatio: '16:9',
    createdAt: media.createdAt.toISOString(),
    updatedAt: media.updatedAt.toISOString(),
  };
}

function formatDuration(seconds: number): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}
