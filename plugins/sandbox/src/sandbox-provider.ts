import {
  InvalidRequestError,
  ProviderUnavailableError,
  RateLimitedError,
  TimeoutError,
  type CallOptions,
  type DeleteOutcome,
  type ListVideosRequest,
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
      // In process, the sandbox filters on everything (DELETED and UNKNOWN match nothing listed, which is exact too).
      listFilters: { createdBefore: true, createdAfter: true, status: true },
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

  async doListVideos(page: ListVideosRequest, options: CallOptions): Promise<VideoPage> {
    await this.admit('list', [], options);
    // The cursor is the (createdAt, id) of the last listed video, so deletions between pages shift nothing.
    const after = page.cursor === undefined ? undefined : decodeSandboxCursor(page.cursor);
    const limit = Math.max(1, Math.floor(page.limit));
    const { videos, more } = this.library.listPage(page.filter, after, limit);
    const last = videos.at(-1);
    return {
      items: videos.map((video) => this.library.toProviderVideo(video)),
      nextCursor: more && last ? `${last.createdAt.getTime()}:${last.id}` : null,
    };
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

function decodeSandboxCursor(cursor: string): { createdAt: number; id: string } {
  const match = /^(\d{1,15}):(vid-\d+)$/.exec(cursor);
  if (!match) throw new InvalidRequestError({ message: 'sandbox: malformed cursor' });
  return { createdAt: Number(match[1]), id: match[2] as string };
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
