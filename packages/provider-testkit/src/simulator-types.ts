import type { VideoProviderPluginV1 } from '@unreel/provider-spec';

/** One request a simulator served, so tests assert what reached the provider. */
export interface RecordedCall {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  /** Native video ids the request carried (path, query or body), in order. */
  ids: string[];
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
}

export interface StartSimulatorOptions {
  /** 0 or absent: an ephemeral port. */
  port?: number;
  /** Always loopback unless told otherwise. */
  host?: string;
  /** Seed of the generated library, so two runs hold the same videos. */
  seed?: number;
  /** Videos created at start. */
  videoCount?: number;
}

/** What every plugin's `./simulator` entry returns from `startSimulator(options)`. */
export interface RunningSimulator<Credentials extends Record<string, string> = Record<string, string>> {
  /** Base URL a client (ours or the provider's official SDK) points at. */
  url: string;
  credentials: Credentials;
  /** Native ids of the seeded videos. */
  videoIds: string[];
  /** Requests served since start or the last `resetCalls()`. */
  calls(): readonly RecordedCall[];
  resetCalls(): void;
  close(): Promise<void>;
}

export type SimulatedVideoState = 'READY' | 'PROCESSING' | 'FORBIDDEN';

/** The control surface the conformance suite drives; each plugin adapts its simulator to it. */
export interface ConformanceSimulator {
  /** Creates one video per entry in that state; returns their native ids in order. */
  seed(videos: readonly { state: SimulatedVideoState; title?: string }[]): Promise<string[]> | string[];
  /** A well-formed id the provider does not have. */
  missingId(): string;
  /** The next `count` requests answer throttled (with the provider's own retry headers) or 5xx. */
  failNext(kind: 'throttle' | 'server-error', count: number): void;
  /** What the provider holds for this id now. */
  stateOf(nativeId: string): 'PRESENT' | 'SOFT_DELETED' | 'GONE';
  calls(): readonly RecordedCall[];
  close(): Promise<void>;
}

export interface ProviderConformanceOptions<Settings, Sim extends ConformanceSimulator = ConformanceSimulator> {
  plugin: VideoProviderPluginV1<Settings>;
  /** Started once before the suite, closed after it. */
  simulator: () => Promise<Sim>;
  /** Plugin settings pointing at the simulator; `wrongCredentials` swaps in a wrong secret. */
  settings: (simulator: Sim, variant: { wrongCredentials: boolean }) => Settings;
  /** What the provider's docs say it does with a video still processing. Default 'refused'. */
  inProcessing?: 'refused' | 'deleted';
  /** Whether the provider has a notion of a forbidden video. Default true. */
  forbidden?: boolean;
  /** Secret strings that must never appear in an error message (defaults to the settings' secret values). */
  secrets?: (simulator: Sim) => string[];
}
