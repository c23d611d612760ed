import { setTimeout as sleep } from 'node:timers/promises';
import { formatAliyunTimestamp } from '../src/aliyun-timestamp.js';
import { vodCallbackSignature } from '../src/aliyun-vod-callback-signature.js';

export interface CallbackTarget {
  /** Where DeleteMediaComplete is POSTed: the callback URL configured "in the VOD console". */
  url: string;
  /** The callback authentication key; the signature covers `url|timestamp|authKey`. */
  authKey: string;
}

/** One HTTP attempt to deliver one event. */
export interface WebhookDelivery {
  videoId: string;
  /** 1 for the first attempt; VOD retries a failed callback twice. */
  attempt: number;
  /** 1, or 2 for the duplicate the `callbackTwice` switch sends. */
  copy: number;
  /** The receiver's HTTP status, or null when it could not be reached (see `error`). */
  status: number | null;
  error?: string;
  body: string;
  headers: Record<string, string>;
  at: number;
}

/** VOD's rule: anything but a 200 within the timeout is a failure, retried twice, then dropped. */
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 50;
const TIMEOUT_MS = 5_000;

/** Sends DeleteMediaComplete HTTP callbacks as VOD does after DeleteVideo, and keeps every attempt for tests. */
export class CallbackSender {
  private readonly target: CallbackTarget;
  private readonly twice: boolean;
  private readonly now: () => number;
  private readonly sent: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(target: CallbackTarget, options: { twice: boolean; now: () => number }) {
    this.target = target;
    this.twice = options.twice;
    this.now = options.now;
  }

  /** One success event per deleted video, sent after the DeleteVideo answer, never holding it up. */
  deleted(videoIds: readonly string[]): void {
    const eventTime = formatAliyunTimestamp(new Date(this.now()));
    for (const videoId of videoIds) {
      const body = JSON.stringify({
        EventType: 'DeleteMediaComplete',
        EventTime: eventTime,
        Status: 'success',
        MediaType: 'video',
        DeleteType: 'all',
        MediaId: videoId,
      });
      for (let copy = 1; copy <= (this.twice ? 2 : 1); copy += 1) this.track(this.deliver(videoId, body, copy));
    }
  }

  deliveries(): readonly WebhookDelivery[] {
    return this.sent;
  }

  /** Resolves once every delivery started so far has finished (including its retries). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled(this.pending);
  }

  private track(delivery: Promise<void>): void {
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  private async deliver(videoId: string, body: string, copy: number): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      // Each attempt is signed when sent, so a retry carries a fresh timestamp.
      const timestamp = String(Math.floor(this.now() / 1000));
      const headers = {
        'content-type': 'application/json',
        'X-VOD-TIMESTAMP': timestamp,
        'X-VOD-SIGNATURE': vodCallbackSignature(this.target.url, timestamp, this.target.authKey),
      };
      const record: WebhookDelivery = { videoId, attempt, copy, status: null, body, headers, at: Date.now() };
      try {
        const response = await fetch(this.target.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await response.arrayBuffer();
        record.status = response.status;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      this.sent.push(record);
      if (record.status === 200) return;
      if (attempt < ATTEMPTS) await sleep(RETRY_DELAY_MS);
    }
  }
}
