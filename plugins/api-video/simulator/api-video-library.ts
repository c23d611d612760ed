import { seededRandom, type SimulatedPresence, titleWord } from '@unreel/provider-kit/simulator';

/**
 * Where a video is in api.video's pipeline. The Video object itself carries none of this (it has no status field);
 * only `GET /videos/{videoId}/status` shows it, as `ingest.status` and `encoding.playable`/`qualities`.
 */
export type IngestPhase = 'uploading' | 'ingesting' | 'encoding' | 'ready' | 'failed';

export interface LibraryVideo {
  videoId: string;
  title: string;
  description: string;
  tags: string[];
  metadata: { key: string; value: string }[];
  createdAt: number;
  updatedAt: number;
  publishedAt: number;
  phase: IngestPhase;
  filesize: number;
  /** Set while the video sits in the discarded collection (Video Restore). */
  discardedAt: number | null;
  deletesAt: number | null;
}

const TAGS = ['product', 'marketing', 'support', 'internal', 'events'];
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The documented id shape: `vi` followed by 22 alphanumerics, e.g. `vi4blUQJFrYWbaG44NChkH27`. */
const ID_LENGTH = 22;

export interface LibraryOptions {
  seed: number;
  videoCount: number;
  now: () => number;
  /** How long a discarded video stays restorable before it is purged for good. */
  retentionMs: number;
}

/** The simulated account's videos, live and discarded, generated reproducibly from a seed. */
export class ApiVideoLibrary {
  /** Insertion order is creation order, which is the listing order. */
  private readonly videos = new Map<string, LibraryVideo>();
  private readonly random: () => number;
  private readonly missingRandom: () => number;
  private readonly now: () => number;
  private readonly retentionMs: number;
  private created = 0;

  constructor(options: LibraryOptions) {
    this.random = seededRandom(options.seed);
    this.missingRandom = seededRandom(options.seed ^ 0x5f3759df);
    this.now = options.now;
    this.retentionMs = options.retentionMs;
    const epoch = Date.UTC(2025, 0, 1);
    for (let index = 0; index < options.videoCount; index += 1) {
      const roll = this.random();
      // A few videos are still on their way in or failed, as in any real account.
      const phase: IngestPhase =
        roll < 0.03
          ? 'uploading'
          : roll < 0.05
            ? 'ingesting'
            : roll < 0.08
              ? 'encoding'
              : roll < 0.1
                ? 'failed'
                : 'ready';
      this.add(phase, undefined, epoch + index * 60_000);
    }
  }

  add(phase: IngestPhase, title?: string, createdAt = this.now()): LibraryVideo {
    this.created += 1;
    const word = titleWord(this.random());
    const tag = TAGS[Math.floor(this.random() * TAGS.length)] as string;
    const video: LibraryVideo = {
      videoId: this.newId(this.random),
      title: title ?? `${word} #${this.created}`,
      description: `A ${word.toLowerCase()} video`,
      tags: [tag],
      metadata: [{ key: 'series', value: word.toLowerCase() }],
      createdAt,
      updatedAt: createdAt,
      publishedAt: createdAt,
      phase,
      filesize: 1_000_000 + Math.floor(this.random() * 200_000_000),
      discardedAt: null,
      deletesAt: null,
    };
    this.videos.set(video.videoId, video);
    return video;
  }

  /** Any video the account holds, live or discarded. */
  find(videoId: string): LibraryVideo | undefined {
    this.purge();
    return this.videos.get(videoId);
  }

  live(): LibraryVideo[] {
    this.purge();
    return [...this.videos.values()].filter((video) => video.discardedAt === null);
  }

  discarded(): LibraryVideo[] {
    this.purge();
    return [...this.videos.values()].filter((video) => video.discardedAt !== null);
  }

  /** Video Restore: the video moves to the discarded collection until `deletesAt`. */
  discard(video: LibraryVideo): void {
    const now = this.now();
    video.discardedAt = now;
    video.deletesAt = now + this.retentionMs;
    video.updatedAt = now;
  }

  restore(video: LibraryVideo): void {
    video.discardedAt = null;
    video.deletesAt = null;
    video.updatedAt = this.now();
  }

  remove(videoId: string): void {
    this.videos.delete(videoId);
  }

  stateOf(videoId: string): SimulatedPresence {
    const video = this.find(videoId);
    if (!video) return 'GONE';
    return video.discardedAt === null ? 'PRESENT' : 'SOFT_DELETED';
  }

  /** A well-formed id no video has. */
  missingId(): string {
    for (;;) {
      const id = this.newId(this.missingRandom);
      if (!this.videos.has(id)) return id;
    }
  }

  /** The 90-day retention ends by the simulator's clock, so tests move the clock instead of waiting. */
  private purge(): void {
    const now = this.now();
    for (const [id, video] of this.videos) {
      if (video.deletesAt !== null && video.deletesAt <= now) this.videos.delete(id);
    }
  }

  private newId(random: () => number): string {
    let id = 'vi';
    for (let index = 0; index < ID_LENGTH; index += 1) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
    return id;
  }
}
