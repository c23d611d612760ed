import { seededRandom, type SimulatedPresence } from '@unreel/provider-kit/simulator';
import { formatAliyunTimestamp } from '../src/aliyun-timestamp.js';

/** Every status VOD documents for a video (providers.md §5.3). */
export const VOD_STATUSES = [
  'Uploading',
  'UploadSucc',
  'Transcoding',
  'checking',
  'Blocked',
  'Normal',
  'UploadFail',
  'TranscodeFail',
  'ProduceFail',
] as const;
export type VodStatus = (typeof VOD_STATUSES)[number];

const PROCESSING: readonly VodStatus[] = ['Uploading', 'Transcoding', 'UploadSucc', 'checking'];
const FAILED: readonly VodStatus[] = ['UploadFail', 'TranscodeFail'];

export interface SimulatedVodVideo {
  id: string;
  title: string;
  status: VodStatus;
  /** `other`: a video this AccessKey may see but not delete (it lands in ForbiddenVideoIds). */
  owner: 'self' | 'other';
  creationTime: number;
  durationSeconds: number;
  size: number;
}

export interface LibraryOptions {
  seed: number;
  videoCount: number;
  processingRatio: number;
  forbiddenRatio: number;
}

/** Creation times start here and advance one minute per video, so listings sort the same on every run. */
const EPOCH = Date.UTC(2024, 0, 1);

/** The account's media library: what DeleteVideo, GetVideoInfos and GetVideoList act on. Deletion is physical. */
export class AliyunVodLibrary {
  readonly videos = new Map<string, SimulatedVodVideo>();
  private readonly deleted = new Set<string>();
  private readonly random: () => number;
  private readonly missingRandom: () => number;
  private created = 0;

  constructor(options: LibraryOptions) {
    this.random = seededRandom(options.seed);
    this.missingRandom = seededRandom(options.seed ^ 0x5bd1e995);
    for (let index = 0; index < options.videoCount; index += 1) {
      const roll = this.random();
      if (roll < options.forbiddenRatio) this.add({ status: 'Normal', owner: 'other' });
      else if (roll < options.forbiddenRatio + options.processingRatio) this.add({ status: this.pick(PROCESSING) });
      else if (roll < options.forbiddenRatio + options.processingRatio + 0.02) this.add({ status: this.pick(FAILED) });
      else if (roll < options.forbiddenRatio + options.processingRatio + 0.04) this.add({ status: 'Blocked' });
      else this.add({ status: 'Normal' });
    }
  }

  add(video: { status?: VodStatus; owner?: 'self' | 'other'; title?: string } = {}): SimulatedVodVideo {
    const id = this.freshId(this.random);
    this.created += 1;
    const added: SimulatedVodVideo = {
      id,
      title: video.title ?? `Video ${this.created}`,
      status: video.status ?? 'Normal',
      owner: video.owner ?? 'self',
      creationTime: EPOCH + this.created * 60_000,
      durationSeconds: 10 + Math.floor(this.random() * 3_600),
      size: 100_000 + Math.floor(this.random() * 500_000_000),
    };
    this.videos.set(id, added);
    return added;
  }

  /** A well-formed id (32 hex digits, like VOD's) that names no video and never will. */
  missingId(): string {
    return this.freshId(this.missingRandom);
  }

  /** Physically deletes a video this account owns; another user's video stays. */
  delete(id: string): 'DELETED' | 'FORBIDDEN' | 'MISSING' {
    const video = this.videos.get(id);
    if (!video) return 'MISSING';
    if (video.owner === 'other') return 'FORBIDDEN';
    this.videos.delete(id);
    this.deleted.add(id);
    return 'DELETED';
  }

  presence(id: string): SimulatedPresence {
    return this.videos.has(id) ? 'PRESENT' : 'GONE';
  }

  /**
   * Visible videos, oldest first. Creation times grow with each video added and the map keeps insertion order, so no
   * sort is needed: a listing of a 20,000-video library costs one pass, not a sort per page.
   */
  ordered(): SimulatedVodVideo[] {
    return [...this.videos.values()];
  }

  /** The Video object of GetVideoInfos / GetVideoList (GetVideoInfoResponseBody's fields that matter here). */
  toApi(video: SimulatedVodVideo): Record<string, unknown> {
    const created = formatAliyunTimestamp(new Date(video.creationTime));
    return {
      VideoId: video.id,
      Title: video.title,
      Status: video.status,
      CreationTime: created,
      ModificationTime: created,
      Duration: video.durationSeconds,
      Size: video.size,
      CoverURL: `https://outin-simulated.oss-cn-shanghai.aliyuncs.com/${video.id}/snapshots/cover.jpg`,
      StorageLocation: 'outin-simulated.oss-cn-shanghai.aliyuncs.com',
      StorageClass: 'Standard',
      AppId: video.owner === 'self' ? 'app-1000000' : 'app-2000000',
    };
  }

  private freshId(random: () => number): string {
    for (;;) {
      let id = '';
      for (let index = 0; index < 4; index += 1)
        id += Math.floor(random() * 0x1_0000_0000)
          .toString(16)
          .padStart(8, '0');
      if (!this.videos.has(id) && !this.deleted.has(id)) return id;
    }
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)] as T;
  }
}
