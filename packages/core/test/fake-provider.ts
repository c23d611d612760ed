import {
  TimeoutError,
  type CallOptions,
  type DeleteOutcome,
  type ProviderCapabilitiesV1,
  type ProviderVideo,
  type RestoreOutcome,
  type VideoProviderV1,
} from '@unreel/provider-spec';

type Script = (ids: readonly string[], call: number) => DeleteOutcome[] | Error | undefined;

/** A provider in memory whose answers a test scripts call by call; it records every call it got. */
export class FakeProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'fake';
  readonly capabilities: ProviderCapabilitiesV1;
  readonly calls: { ids: string[]; at: number; attempt: number }[] = [];
  readonly restoreCalls: string[] = [];
  readonly deleted = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  latencyMs = 0;
  /** While set, every delete call waits for it (or for its abort) before answering: a call in flight as long as a test needs. */
  private held: Promise<void> | undefined;
  /** Returns an error to throw, explicit outcomes, or undefined for the default behaviour. */
  script: Script = () => undefined;
  refuse = new Map<string, DeleteOutcome>();

  constructor(capabilities: Partial<ProviderCapabilitiesV1> = {}) {
    this.capabilities = { maxBatchSize: 10, restore: { windowDays: 7 }, ...capabilities };
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    this.calls.push({ ids: [...ids], at: Date.now(), attempt: options.attempt });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.held) await abortable(this.held, options.signal);
      if (this.latencyMs > 0) await abortable(delay(this.latencyMs), options.signal);
      const scripted = this.script(ids, this.calls.length);
      if (scripted instanceof Error) throw scripted;
      if (scripted) return scripted;
      return ids.map((id) => {
        const refused = this.refuse.get(id);
        if (refused) return refused;
        if (id.startsWith('missing') || this.deleted.has(id)) return { status: 'NOT_FOUND' };
        this.deleted.add(id);
        return { status: 'DELETED' };
      });
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Holds every delete call from now on in flight until the returned function lets them (and later ones) go. */
  hold(): () => void {
    let release = (): void => {};
    this.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  async doRestoreVideo(id: string): Promise<RestoreOutcome> {
    this.restoreCalls.push(id);
    if (!this.deleted.delete(id)) return { status: 'NOT_FOUND' };
    return { status: 'RESTORED', video: { id, title: id, status: 'READY' } };
  }

  async doGetVideos(ids: readonly string[]): Promise<(ProviderVideo | null)[]> {
    return ids.map((id) =>
      id.startsWith('missing') ? null : { id, title: id, status: this.deleted.has(id) ? 'DELETED' : 'READY' },
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function abortable(done: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    void done.then(resolve);
    signal.addEventListener(
      'abort',
      () => {
        reject(
          signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
            ? new TimeoutError({ message: 'fake did not answer in time' })
            : signal.reason,
        );
      },
      { once: true },
    );
  });
}
