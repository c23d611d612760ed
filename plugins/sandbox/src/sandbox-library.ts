import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom, titleWord } from '@unreel/provider-kit/simulator';
import type { ProviderVideo, ProviderVideoStatus, VideoFilter } from '@unreel/provider-spec';
import type { SandboxSettings } from './sandbox-settings.js';

export type SandboxVideoState = 'READY' | 'PROCESSING' | 'FORBIDDEN' | 'FAILED';
export type SandboxFault = 'throttle' | 'server-error';

export interface SandboxVideo {
  id: string;
  title: string;
  state: SandboxVideoState;
  createdAt: Date;
  deletedAt: Date | null;
  restorableUntil: Date | null;
}

export interface SandboxCall {
  method: 'delete' | 'restore' | 'get' | 'list';
  ids: string[];
  at: number;
}

/** The sandbox provider's state: a seeded video library plus what tests need to look at and steer. */
export class SandboxLibrary {
  readonly videos = new Map<string, SandboxVideo>();
  /** Ids in the order they were added (the seeded library first). */
  readonly order: string[] = [];
  /**
   * Every video sorted by (createdAt, id), deleted ones included: a listing finds where it starts by binary search and
   * reads one page from there, so a page of a 100,000-video library costs the page, not the library.
   */
  private readonly byCreation: SandboxVideo[] = [];
  readonly calls: SandboxCall[] = [];
  private readonly planned: SandboxFault[] = [];
  private nextNumber = 1;
  private readonly stateFile: string | undefined;

  constructor(
    settings: Pick<SandboxSettings, 'videoCount' | 'seed' | 'processingRatio' | 'forbiddenRatio' | 'stateFile'> &
      Partial<Pick<SandboxSettings, 'failedRatio'>>,
  ) {
    this.stateFile = settings.stateFile;
    // The generator the HTTP simulators use: same seed, same library, on every machine.
    const random = seededRandom(settings.seed);
    const epoch = Date.UTC(2025, 0, 1);
    const failedRatio = settings.failedRatio ?? 0;
    for (let index = 0; index < settings.videoCount; index += 1) {
      const roll = random();
      const state: SandboxVideoState =
        roll < settings.processingRatio
          ? 'PROCESSING'
          : roll < settings.processingRatio + settings.forbiddenRatio
            ? 'FORBIDDEN'
            : roll < settings.processingRatio + settings.forbiddenRatio + failedRatio
              ? 'FAILED'
              : 'READY';
      const word = titleWord(random());
      this.add(state, `${word} #${index + 1}`, new Date(epoch + index * 60_000));
    }
    if (this.stateFile) this.replay(this.stateFile);
  }

  recordCall(call: SandboxCall): void {
    this.calls.push(call);
    // Only calls that may change the library go to the file: lookups and listings would grow it with every query a
    // frontend makes, and nothing replayed depends on them.
    if (call.method === 'delete' || call.method === 'restore')
      this.persist({ t: 'call', m: call.method, ids: call.ids, at: call.at });
  }

  markDeleted(video: SandboxVideo, at: Date, restorableUntil: Date | null): void {
    video.deletedAt = at;
    video.restorableUntil = restorableUntil;
    this.persist({ t: 'deleted', id: video.id, at: at.getTime(), until: restorableUntil?.getTime() ?? null });
  }

  markRestored(video: SandboxVideo): void {
    video.deletedAt = null;
    video.restorableUntil = null;
    this.persist({ t: 'restored', id: video.id });
  }

  private persist(record: Record<string, unknown>): void {
    if (this.stateFile) appendFileSync(this.stateFile, `${JSON.stringify(record)}\n`);
  }

  private replay(file: string): void {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let record: {
        t?: string;
        m?: SandboxCall['method'];
        ids?: string[];
        at?: number;
        id?: string;
        until?: number | null;
      };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue; // a line cut short by a crash mid-write says nothing
      }
      const video = record.id === undefined ? undefined : this.videos.get(record.id);
      if (record.t === 'call' && record.m && record.ids)
        this.calls.push({ method: record.m, ids: record.ids, at: record.at ?? 0 });
      else if (record.t === 'deleted' && video) {
        video.deletedAt = new Date(record.at ?? 0);
        video.restorableUntil = record.until == null ? null : new Date(record.until);
      } else if (record.t === 'restored' && video) {
        video.deletedAt = null;
        video.restorableUntil = null;
      }
    }
  }

  add(state: SandboxVideoState, title?: string, createdAt = new Date()): SandboxVideo {
    const id = `vid-${String(this.nextNumber).padStart(6, '0')}`;
    this.nextNumber += 1;
    const video: SandboxVideo = {
      id,
      title: title ?? `Video ${id}`,
      state,
      createdAt,
      deletedAt: null,
      restorableUntil: null,
    };
    this.videos.set(id, video);
    this.order.push(id);
    // Videos mostly arrive in creation order (the seeded library, then `now`): appending is the common case.
    const last = this.byCreation.at(-1);
    if (!last || compareCreation(last, video) <= 0) this.byCreation.push(video);
    else
      this.byCreation.splice(
        this.firstAfter((other) => compareCreation(other, video) <= 0),
        0,
        video,
      );
    return video;
  }

  /**
   * One page of live (not deleted) videos matching the filter, oldest first, starting after `after` (the last video
   * of the page before). Deleting or adding videos between pages moves nothing: the next page starts from a key.
   */
  listPage(
    filter: VideoFilter | undefined,
    after: { createdAt: number; id: string } | undefined,
    limit: number,
  ): { videos: SandboxVideo[]; more: boolean } {
    const createdAfter = filter?.createdAfter?.getTime();
    const createdBefore = filter?.createdBefore?.getTime();
    let index = 0;
    if (after)
      index = this.firstAfter(
        (video) =>
          video.createdAt.getTime() < after.createdAt ||
          (video.createdAt.getTime() === after.createdAt && video.id <= after.id),
      );
    if (createdAfter !== undefined)
      index = Math.max(
        index,
        this.firstAfter((video) => video.createdAt.getTime() < createdAfter),
      );
    const end =
      createdBefore === undefined
        ? this.byCreation.length
        : this.firstAfter((video) => video.createdAt.getTime() < createdBefore);
    const videos: SandboxVideo[] = [];
    for (; index < end; index += 1) {
      const video = this.byCreation[index] as SandboxVideo;
      if (video.deletedAt || (filter?.status && !filter.status.includes(this.toProviderVideo(video).status))) continue;
      if (videos.length === limit) return { videos, more: true };
      videos.push(video);
    }
    return { videos, more: false };
  }

  /** The index of the first video of `byCreation` for which `before` is false (`before` holds for a prefix). */
  private firstAfter(before: (video: SandboxVideo) => boolean): number {
    let low = 0;
    let high = this.byCreation.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(this.byCreation[middle] as SandboxVideo)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  stateOf(id: string): 'PRESENT' | 'SOFT_DELETED' | 'GONE' {
    const video = this.videos.get(id);
    if (!video) return 'GONE';
    return video.deletedAt ? 'SOFT_DELETED' : 'PRESENT';
  }

  failNext(kind: SandboxFault, count: number): void {
    for (let index = 0; index < count; index += 1) this.planned.push(kind);
  }

  takeFault(): SandboxFault | undefined {
    return this.planned.shift();
  }

  toProviderVideo(video: SandboxVideo): ProviderVideo {
    return {
      id: video.id,
      title: video.title,
      status: video.deletedAt ? 'DELETED' : statusOfState[video.state],
      createdAt: video.createdAt,
      deletedAt: video.deletedAt,
      restorableUntil: video.restorableUntil,
    };
  }
}

/** A forbidden video is one this account may not delete, not one in another state. */
const statusOfState: Readonly<Record<SandboxVideoState, ProviderVideoStatus>> = {
  READY: 'READY',
  FORBIDDEN: 'READY',
  PROCESSING: 'PROCESSING',
  FAILED: 'FAILED',
};

function compareCreation(a: SandboxVideo, b: SandboxVideo): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
