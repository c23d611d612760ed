import {
  InvalidRequestError,
  ProviderUnavailableError,
  RateLimitedError,
  TimeoutError,
  type CallOptions,
  type DeleteOutcome,
  type ProviderVideo,
  type RestoreOutcome,
  type VideoPage,
  type VideoProviderV1,
} from '@unreel/provider-spec';
import type { SandboxLibrary } from './sandbox-library.js';
import type { SandboxSettings } from './sandbox-settings.js';

/** An in-process provider: the embedded default, and a way to reach every engine path without credentials. */
export class SandboxProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'sandbox';
  readonly capabilities;
  readonly library: SandboxLibrary;
  private readonly settings: SandboxSettings;
  private windowStart = 0;
  private windowCount = 0;

  constructor(settings: SandboxSettings, library: SandboxLibrary) {
    this.settings = settings;
    this.library = library;
    this.capabilities = {
      maxBatchSize: settings.batchSize,
      restore: { windowDays: settings.restoreWindowDays },
      ...(settings.requestsPerSecond === undefined ? {} : { requestsPerSecond: settings.requestsPerSecond }),
      maxConcurrency: 8,
      maxLookupBatchSize: settings.lookupBatchSize,
    };
  }

  async doDeleteVideos(ids: readonly string[], options: CallOptions): Promise<DeleteOutcome[]> {
    if (ids.length === 0 || ids.length > this.settings.batchSize) {
      throw new InvalidRequestError({
        message: `sandbox takes 1 to ${this.settings.batchSize} ids per call, got ${ids.length}`,
      });
    }
    await this.admit('delete', ids, options);
    const now = Date.now();
    const restorableUntil = new Date(now + this.settings.restoreWindowDays * 86_400_000);
    const outcomes = ids.map((id): DeleteOutcome => {
      const video = this.library.videos.get(id);
      if (!video || video.deletedAt) return { status: 'NOT_FOUND' };
      if (video.state === 'PROCESSING') {
        return {
          status: 'FAILED',
          // Deletable once processed: later, not now.
          error: {
            code: 'IN_PROCESSING',
            message: `Video ${id} is still processing`,
            retryable: true,
            transient: false,
          },
        };
      }
      if (video.state === 'FORBIDDEN') {
        return {
          status: 'FAILED',
          error: { code: 'FORBIDDEN', message: `This account may not delete video ${id}`, retryable: false },
        };
      }
      this.library.markDeleted(video, new Date(now), restorableUntil);
      return { status: 'DELETED', restorableUntil };
    });
    const [min, max] = this.settings.replyDelayMs;
    if (max > 0) await delay(min + Math.random() * (max - min), options.signal);
    return outcomes;
  }

  async doRestoreVideo(id: string, options: CallOptions): Promise<RestoreOutcome> {
    await this.admit('restore', [id], options);
    const video = this.library.videos.get(id);
    if (!video) return { status: 'NOT_FOUND' };
    if (!video.deletedAt) {
      return {
        status: 'FAILED',
        error: { code: 'NOT_DELETED', message: `Video ${id} is not deleted`, retryable: false },
      };
    }
    if (video.restorableUntil && video.restorableUntil.getTime() < Date.now()) {
      return {
        status: 'FAILED',
        error: { code: 'RESTORE_WINDOW_EXPIRED', message: `The restore window of ${id} has ended`, retryable: false },
      };
    }
    this.library.markRestored(video);
    return { status: 'RESTORED', video: this.library.toProviderVideo(video) };
  }

  async doGetVideos(ids: readonly string[], options: CallOptions): Promise<(ProviderVideo | null)[]> {
    if (ids.length === 0 || ids.length > this.settings.lookupBatchSize) {
      throw new InvalidRequestError({
        message: `sandbox looks up 1 to ${this.settings.lookupBatchSize} ids per call, got ${ids.length}`,
      });
    }
    await this.admit('get', ids, options);
    return ids.map((id) => {
      const video = this.library.videos.get(id);
      return video ? this.library.toProviderVideo(video) : null;
    });
  }

  async doListVideos(page: { cursor?: string; limit: number }, options: CallOptions): Promise<VideoPage> {
    await this.admit('list', [], options);
    const { order, videos } = this.library;
    // The cursor is the position after the last listed video, so deletions between pages shift nothing.
    let position = page.cursor === undefined ? 0 : Number.parseInt(page.cursor, 10);
    if (!Number.isInteger(position) || position < 0)
      throw new InvalidRequestError({ message: 'sandbox: malformed cursor' });
    const items: ProviderVideo[] = [];
    while (position < order.length && items.length < page.limit) {
      const video = videos.get(order[position] as string);
      position += 1;
      if (video && !video.deletedAt) items.push(this.library.toProviderVideo(video));
    }
    const more = order.slice(position).some((id) => !videos.get(id)?.deletedAt);
    return { items, nextCursor: more ? String(position) : null };
  }

  /** Latency, faults and the rate limit: what every call goes through before touching the library. */
  private async admit(
    method: 'delete' | 'restore' | 'get' | 'list',
    ids: readonly string[],
    options: CallOptions,
  ): Promise<void> {
    const [min, max] = this.settings.latencyMs;
    if (max > 0) await delay(min + Math.random() * (max - min), options.signal);
    if (options.signal.aborted) throw abortError(options.signal);
    this.library.recordCall({ method, ids: [...ids], at: Date.now() });
    const fault = this.library.takeFault() ?? (Math.random() < this.settings.errorRate ? 'server-error' : undefined);
    if (fault === 'server-error')
      throw new ProviderUnavailableError({ message: 'sandbox answered 503: simulated outage', status: 503 });
    if (fault === 'throttle' || !this.withinRate()) {
      throw new RateLimitedError({
        message: 'sandbox answered 429: too many requests',
        status: 429,
        retryAfterMs: this.msToNextWindow(),
      });
    }
  }

  private withinRate(): boolean {
    const limit = this.settings.requestsPerSecond;
    if (limit === undefined) return true;
    const now = Date.now();
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now - (now % 1_000);
      this.windowCount = 0;
    }
    this.windowCount += 1;
    return this.windowCount <= limit;
  }

  private msToNextWindow(): number {
    return Math.max(1, 1_000 - (Date.now() - this.windowStart));
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(abortError(signal));
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A timeout is the provider being slow (retryable, ambiguous); any other abort is the host's own reason. */
function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new TimeoutError({ message: 'sandbox did not answer in time', cause: reason });
  }
  return reason;
}
