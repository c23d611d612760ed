import { seededRandom, titleWord } from '@unreel/provider-kit/simulator';

export const SIMULATED_STATUSES = [
  'ready-to-upload',
  'uploaded',
  'in-progress',
  'process-failed',
  'process-completed',
] as const;
export type SimulatedStatus = (typeof SIMULATED_STATUSES)[number];

const PROCESSING: readonly SimulatedStatus[] = ['ready-to-upload', 'uploaded', 'in-progress'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** "the video should be completed processing or failed for more than 4 hours" (delete_video.md). */
const DELETABLE_AFTER_MS = 4 * HOUR;

export interface SimulatedVideo {
  /** The record id (a Mongo ObjectId in the docs' examples); the API addresses videos by `uuid`. */
  id: string;
  uuid: string;
  coid: string;
  title: string;
  status: SimulatedStatus;
  privacy: 'private' | 'public';
  duration: number;
  size: number;
  collectionId: string | null;
  createdAt: number;
  updatedAt: number;
  /** When it became process-completed or process-failed: the 4-hour rule counts from here. */
  settledAt: number | null;
  deletedAt: number | null;
}

export interface VideoSpec {
  status?: SimulatedStatus;
  /** Another company's video when set to anything but the simulator's own coid. */
  coid?: string;
  title?: string;
  /** How long ago it completed or failed (completed/failed statuses only). Default 30 days. */
  settledAgoMs?: number;
  collectionId?: string | null;
  /** Creates it already soft-deleted, this long ago. */
  deletedAgoMs?: number;
}

/** Why a video cannot be deleted right now, or `ok`. */
export type Deletability = 'ok' | 'not-found' | 'forbidden' | 'not-deletable';

const COLLECTIONS = ['64ddf0215fb09ef1f8ec1001', '64ddf0215fb09ef1f8ec1002'];

/** OmegaStream's state for two companies: ours (the API key's) and another whose videos we may not touch. */
export class OmegastreamLibrary {
  readonly coid: string;
  readonly foreignCoid: string;
  private readonly videos = new Map<string, SimulatedVideo>();
  /** Videos ever added, purged ones included, for default titles. */
  private added = 0;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly retentionMs: number | false;

  constructor(options: { seed: number; now: () => number; retentionMs: number | false }) {
    this.random = seededRandom(options.seed);
    this.now = options.now;
    this.retentionMs = options.retentionMs;
    this.coid = `omega-cop-${this.hex(8)}`;
    this.foreignCoid = `omega-cop-${this.hex(8)}`;
  }

  /** Random but reproducible hex, also used for the default API key. */
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += Math.floor(this.random() * 16).toString(16);
    return text;
  }

  /**
   * The start-up library: most videos completed (or failed) long ago and deletable, a few still processing, a few
   * completed less than 4 hours ago, a few of another company.
   */
  seedLibrary(count: number): string[] {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const roll = this.random();
      const word = titleWord(this.random());
      const title = `${word} #${index + 1}`;
      const collectionId =
        this.random() < 0.3 ? (COLLECTIONS[Math.floor(this.random() * COLLECTIONS.length)] as string) : null;
      let spec: VideoSpec;
      if (roll < 0.06) spec = { status: PROCESSING[Math.floor(this.random() * PROCESSING.length)] as SimulatedStatus };
      else if (roll < 0.1)
        spec = { status: 'process-completed', settledAgoMs: 10 * 60_000 + Math.floor(this.random() * 3.5 * HOUR) };
      else if (roll < 0.14)
        spec = { status: 'process-failed', settledAgoMs: 5 * HOUR + Math.floor(this.random() * 60 * DAY) };
      else if (roll < 0.18) spec = { status: 'process-completed', coid: this.foreignCoid };
      else spec = { status: 'process-completed', settledAgoMs: 5 * HOUR + Math.floor(this.random() * 90 * DAY) };
      ids.push(this.add({ ...spec, title, collectionId }).uuid);
    }
    return ids;
  }

  add(spec: VideoSpec = {}): SimulatedVideo {
    const now = this.now();
    const status = spec.status ?? 'process-completed';
    const settled = status === 'process-completed' || status === 'process-failed';
    const settledAt = settled ? now - (spec.settledAgoMs ?? 30 * DAY) : null;
    // Processing took a few minutes, as in the docs' example (created 10:02:09, updated 10:03:48).
    const createdAt = (settledAt ?? now) - 60_000 - Math.floor(this.random() * 5 * 60_000);
    const video: SimulatedVideo = {
      id: this.hex(24),
      uuid: this.uuid(),
      coid: spec.coid ?? this.coid,
      title: spec.title ?? `Video ${this.added + 1}`,
      status,
      privacy: this.random() < 0.5 ? 'private' : 'public',
      duration: 5 + Math.floor(this.random() * 3_600),
      size: 1_000_000 + Math.floor(this.random() * 900_000_000),
      collectionId: spec.collectionId ?? null,
      createdAt,
      updatedAt: settledAt ?? createdAt,
      settledAt,
      deletedAt: spec.deletedAgoMs === undefined ? null : now - spec.deletedAgoMs,
    };
    this.videos.set(video.uuid, video);
    this.added += 1;
    return video;
  }

  /** The video as the provider holds it now (a purged one is gone). */
  get(uuid: string): SimulatedVideo | undefined {
    const video = this.videos.get(uuid);
    if (video && this.isPurged(video)) {
      this.videos.delete(uuid);
      return undefined;
    }
    return video;
  }

  /** What a delete of this video by `coid` would meet. A video already marked for deletion is not found again. */
  deletability(uuid: string, coid: string): Deletability {
    const video = this.get(uuid);
    if (!video || video.deletedAt !== null) return 'not-found';
    if (video.coid !== coid) return 'forbidden';
    if (video.settledAt === null || this.now() - video.settledAt < DELETABLE_AFTER_MS) return 'not-deletable';
    return 'ok';
  }

  /** Marks for deletion; the record, its status and `updated_at` stay, as in the docs' deleted-list example. */
  markDeleted(video: SimulatedVideo): void {
    video.deletedAt = this.now();
  }

  revert(video: SimulatedVideo, status: SimulatedStatus | undefined): void {
    video.deletedAt = null;
    if (status === undefined || status === video.status) return;
    const now = this.now();
    video.status = status;
    video.updatedAt = now;
    video.settledAt = status === 'process-completed' || status === 'process-failed' ? now : null;
  }

  /** A company's videos, in creation order, either the live ones or the ones marked for deletion. */
  list(filter: { coid: string; deleted: boolean; status?: string; collection?: string }): SimulatedVideo[] {
    const result: SimulatedVideo[] = [];
    // The map keeps insertion (creation) order; walking its values costs no lookup per video, which a page of a
    // 20,000-video library would otherwise pay 20,000 times.
    for (const video of this.videos.values()) {
      if (this.isPurged(video)) {
        this.videos.delete(video.uuid);
        continue;
      }
      if (video.coid !== filter.coid || (video.deletedAt !== null) !== filter.deleted) continue;
      if (filter.status !== undefined && video.status !== filter.status) continue;
      if (filter.collection !== undefined && video.collectionId !== filter.collection) continue;
      result.push(video);
    }
    return result;
  }

  stateOf(uuid: string): 'PRESENT' | 'SOFT_DELETED' | 'GONE' {
    const video = this.get(uuid);
    if (!video) return 'GONE';
    return video.deletedAt === null ? 'PRESENT' : 'SOFT_DELETED';
  }

  missingId(): string {
    let uuid = this.uuid();
    while (this.videos.has(uuid)) uuid = this.uuid();
    return uuid;
  }

  private isPurged(video: SimulatedVideo): boolean {
    return this.retentionMs !== false && video.deletedAt !== null && this.now() - video.deletedAt >= this.retentionMs;
  }

  /** A version-4 UUID, like the docs' `a23fe4e9-dc10-4f6b-bda5-afe93f8d5d4a`, from the seeded random. */
  private uuid(): string {
    const hex = this.hex(32).split('');
    hex[12] = '4';
    hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
    const text = hex.join('');
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }
}
