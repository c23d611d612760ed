import { seededRandom, type SimulatedPresence, type SimulatedVideoState } from '@unreel/provider-kit/simulator';

export type ElytronVideoStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** A video as the simulated Elytron account holds it. */
export interface ElytronVideoRecord {
  video_id: string;
  prompt: string;
  status: ElytronVideoStatus;
  duration: number;
  quality: string;
  aspect_ratio: string;
  style: string;
  created_at: string;
  completed_at: string | null;
  file_size: number | null;
  error: string | null;
  /** 0..100, what `GET /videos/{id}/status` reports. */
  progress: number;
  /**
   * Made by another member of the organisation: the key sees it, but Elytron lets an account delete only its own
   * videos, so DELETE answers 403 FORBIDDEN.
   */
  ownedByOthers: boolean;
}

export type DeleteResult = 'deleted' | 'not-found' | 'in-processing' | 'forbidden';

const SUBJECTS = [
  'A red fox',
  'A lighthouse',
  'A night market',
  'An astronaut',
  'A paper boat',
  'A glass city',
  'A koi pond',
];
const SCENES = [
  'at dawn',
  'in heavy rain',
  'under northern lights',
  'drifting through fog',
  'in slow motion',
  'seen from a drone',
];
const STYLES = ['cinematic', 'realistic', 'animated', 'watercolor'];
const QUALITIES = ['720p', '1080p', '4k'];
const ASPECT_RATIOS = ['16:9', '9:16', '1:1'];
/** Seeded videos are spread back from here, one every 17 minutes, so listings and dates never depend on today. */
const EPOCH = Date.UTC(2025, 5, 1);

/** The account's videos: seeded, reproducible, and deleted for good (Elytron has no trash). */
export class ElytronLibrary {
  private readonly videos = new Map<string, ElytronVideoRecord>();
  private readonly random: () => number;
  private created = 0;
  private missing = 0;

  constructor(options: { seed: number; videoCount: number }) {
    this.random = seededRandom(options.seed);
    for (let index = 0; index < options.videoCount; index += 1) {
      // About one in ten is still generating, a few failed, a few belong to a colleague.
      const roll = this.random();
      const status: ElytronVideoStatus =
        roll < 0.04 ? 'pending' : roll < 0.1 ? 'processing' : roll < 0.14 ? 'failed' : 'completed';
      this.add({ status, ownedByOthers: status === 'completed' && this.random() < 0.05 });
    }
  }

  add(init: { status: ElytronVideoStatus; prompt?: string; ownedByOthers?: boolean }): ElytronVideoRecord {
    const created = EPOCH + this.created * 17 * 60_000;
    this.created += 1;
    const done = init.status === 'completed' || init.status === 'failed';
    const duration = 5 + Math.floor(this.random() * 56);
    const video: ElytronVideoRecord = {
      video_id: this.uuid(),
      prompt: init.prompt ?? `${this.pick(SUBJECTS)} ${this.pick(SCENES)}`,
      status: init.status,
      duration,
      quality: this.pick(QUALITIES),
      aspect_ratio: this.pick(ASPECT_RATIOS),
      style: this.pick(STYLES),
      created_at: new Date(created).toISOString(),
      completed_at: done ? new Date(created + 4 * 60_000).toISOString() : null,
      file_size: init.status === 'completed' ? duration * 750_000 : null,
      error: init.status === 'failed' ? 'Generation failed: the prompt was rejected by the content policy' : null,
      progress:
        init.status === 'pending' ? 0 : init.status === 'processing' ? 35 + Math.floor(this.random() * 60) : 100,
      ownedByOthers: init.ownedByOthers ?? false,
    };
    this.videos.set(video.video_id, video);
    return video;
  }

  /** The conformance suite's three states in Elytron's terms. */
  addInState(state: SimulatedVideoState, prompt?: string): ElytronVideoRecord {
    const status: ElytronVideoStatus = state === 'PROCESSING' ? 'processing' : 'completed';
    return this.add({ status, ownedByOthers: state === 'FORBIDDEN', ...(prompt === undefined ? {} : { prompt }) });
  }

  get(id: string): ElytronVideoRecord | undefined {
    return this.videos.get(id);
  }

  /** In creation order, which is what offsets count in. */
  list(status?: ElytronVideoStatus): ElytronVideoRecord[] {
    const all = [...this.videos.values()];
    return status === undefined ? all : all.filter((video) => video.status === status);
  }

  /** Elytron's documented refusals, in the order a real service would check them: existence, ownership, state. */
  delete(id: string): DeleteResult {
    const video = this.videos.get(id);
    if (!video) return 'not-found';
    if (video.ownedByOthers) return 'forbidden';
    if (video.status === 'pending' || video.status === 'processing') return 'in-processing';
    this.videos.delete(id);
    return 'deleted';
  }

  stateOf(id: string): SimulatedPresence {
    return this.videos.has(id) ? 'PRESENT' : 'GONE';
  }

  /** Well-formed (a v4 UUID, as Elytron's ids are) and never held: a counter in a range random ids do not use. */
  missingId(): string {
    let id: string;
    do {
      this.missing += 1;
      id = `00000000-0000-4000-8000-${this.missing.toString(16).padStart(12, '0')}`;
    } while (this.videos.has(id));
    return id;
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16));
    hex[12] = '4';
    hex[16] = (8 + Math.floor(this.random() * 4)).toString(16);
    const text = hex.join('');
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)] as T;
  }
}
