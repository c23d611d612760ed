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
  /** Videos created at start; undefined: the simulator's own default. */
  videoCount?: number | undefined;
}

export type SimulatedVideoState = 'READY' | 'PROCESSING' | 'FORBIDDEN';

/** What the provider holds for one id, as the conformance suite asks it. */
export type SimulatedPresence = 'PRESENT' | 'SOFT_DELETED' | 'GONE';

/**
 * The control surface tests drive, in the provider's own terms hidden behind these few verbs: the conformance suite
 * uses nothing else, so one suite runs against every simulator.
 */
export interface ConformanceSimulator {
  /** Creates one deletable-or-not video per entry, in that state; returns their native ids in order. */
  seed(videos: readonly { state: SimulatedVideoState; title?: string }[]): Promise<string[]> | string[];
  /** A well-formed id the provider does not have. */
  missingId(): string;
  /**
   * The next `count` requests that act on videos answer throttled (with the provider's own status, body and retry
   * headers) or with a 5xx, without acting. Authentication endpoints are not counted.
   */
  failNext(kind: 'throttle' | 'server-error', count: number): void;
  /** What the provider holds for this id now. */
  stateOf(nativeId: string): SimulatedPresence;
  /** Requests served since start or the last `resetCalls()`. */
  calls(): readonly RecordedCall[];
  close(): Promise<void>;
}

/** What every plugin's `./simulator` entry returns from `startSimulator(options)`. */
export interface RunningSimulator<
  Credentials extends Record<string, string> = Record<string, string>,
> extends ConformanceSimulator {
  /** Base URL a client (ours or the provider's official SDK) points at. */
  url: string;
  credentials: Credentials;
  /** Native ids of the videos seeded at start. */
  videoIds: string[];
  resetCalls(): void;
}

/** The module shape `pnpm simulate <id>` loads from `@unreel/plugin-<id>/simulator`. */
export interface SimulatorModule {
  startSimulator(options?: StartSimulatorOptions): Promise<RunningSimulator>;
}
