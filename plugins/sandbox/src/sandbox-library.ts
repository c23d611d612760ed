import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom, titleWord } from '@unreel/provider-kit/simulator';
import type { ProviderVideo } from '@unreel/provider-spec';
import type { SandboxSettings } from './sandbox-settings.js';

export type SandboxVideoState = 'READY' | 'PROCESSING' | 'FORBIDDEN';
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
  /** Ids in creation order, for stable listing. */
  readonly order: string[] = [];
  readonly calls: SandboxCall[] = [];
  private readonly planned: SandboxFault[] = [];
  private nextNumber = 1;
  private readonly stateFile: string | undefined;

  constructor(
    settings: Pick<SandboxSettings, 'videoCount' | 'seed' | 'processingRatio' | 'forbiddenRatio' | 'stateFile'>,
  ) {
    this.stateFile = settings.stateFile;
    // The generator the HTTP simulators use: same seed, same library, on every machine.
    const random = seededRandom(settings.seed);
    const epoch = Date.UTC(2025, 0, 1);
    for (let index = 0; index < settings.videoCount; index += 1) {
      const roll = random();
      const state: SandboxVideoState =
        roll < settings.processingRatio
          ? 'PROCESSING'
          : roll < settings.processingRatio + settings.forbiddenRatio
            ? 'FORBIDDEN'
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
    return video;
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
      status: video.deletedAt ? 'DELETED' : video.state === 'PROCESSING' ? 'PROCESSING' : 'READY',
      createdAt: video.createdAt,
      deletedAt: video.deletedAt,
      restorableUntil: video.restorableUntil,
    };
  }
}
