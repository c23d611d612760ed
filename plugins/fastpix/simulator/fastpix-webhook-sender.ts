import { createHmac, randomUUID } from 'node:crypto';

export interface FastPixWebhookTarget {
  url: string;
  /** The workspace's signing secret, base64 as the dashboard shows it. */
  secret: string;
}

/** One POST the simulator made to the webhook URL, and what the receiver answered. */
export interface FastPixWebhookDelivery {
  /** The top-level `id`; null for the validation probe. */
  eventId: string | null;
  type: string | null;
  mediaId: string | null;
  signed: boolean;
  /** The exact bytes sent (as UTF-8), which the signature covers. */
  body: string;
  signature: string | null;
  /** 1 for the first send of an event, 2 for its duplicate (`webhookDuplicates`). */
  copy: number;
  /** The receiver's HTTP status; null when it could not be reached (then `error` says why). */
  status: number | null;
  error?: string;
  at: number;
}

export type WebhookSigningKey = 'decoded-secret' | 'raw-secret';

const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * Delivers signed events as FastPix does: a POST of the JSON body, `FastPix-Signature` = base64 HMAC-SHA256 of exactly
 * those bytes keyed with the base64-decoded signing secret. Deliveries run in the background; `idle()` waits for them.
 */
export class FastPixWebhookSender {
  private readonly target: FastPixWebhookTarget;
  private readonly duplicate: boolean;
  private readonly signingKey: WebhookSigningKey;
  private readonly workspace: { id: string; name: string };
  private readonly recorded: FastPixWebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(options: {
    target: FastPixWebhookTarget;
    duplicate: boolean;
    signingKey: WebhookSigningKey;
    workspace: { id: string; name: string };
  }) {
    this.target = options.target;
    this.duplicate = options.duplicate;
    this.signingKey = options.signingKey;
    this.workspace = options.workspace;
  }

  /** `video.media.deleted` in the SDK's envelope, sent once (twice with `webhookDuplicates`), without waiting. */
  mediaDeleted(media: Record<string, unknown> & { id: string }): void {
    const eventId = randomUUID();
    const body = JSON.stringify({
      type: 'video.media.deleted',
      object: { type: 'media', id: media.id },
      id: eventId,
      workspace: this.workspace,
      status: 'media_deleted',
      data: media,
      createdAt: new Date().toISOString(),
      attempts: [],
    });
    const signature = this.sign(body);
    const copies = this.duplicate ? 2 : 1;
    void this.track(
      (async () => {
        // A redelivery carries the same event id, body and signature; it follows the first, as a retry would.
        for (let copy = 1; copy <= copies; copy += 1) {
          await this.post({ eventId, type: 'video.media.deleted', mediaId: media.id, body, signature, copy });
        }
      })(),
    );
  }

  /** The dashboard's endpoint check: an unsigned `{}`. */
  async validationProbe(): Promise<FastPixWebhookDelivery> {
    let delivery: FastPixWebhookDelivery | undefined;
    await this.track(
      (async () => {
        delivery = await this.post({ eventId: null, type: null, mediaId: null, body: '{}', signature: null, copy: 1 });
      })(),
    );
    return delivery as FastPixWebhookDelivery;
  }

  deliveries(): readonly FastPixWebhookDelivery[] {
    return this.recorded;
  }

  /** Resolves once every delivery started so far has been answered or has failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private sign(body: string): string {
    const key =
      this.signingKey === 'decoded-secret'
        ? Buffer.from(this.target.secret, 'base64')
        : Buffer.from(this.target.secret, 'utf8');
    return createHmac('sha256', key).update(body, 'utf8').digest('base64');
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  private async post(
    delivery: Omit<FastPixWebhookDelivery, 'signed' | 'status' | 'at'>,
  ): Promise<FastPixWebhookDelivery> {
    const record: FastPixWebhookDelivery = {
      ...delivery,
      signed: delivery.signature !== null,
      status: null,
      at: Date.now(),
    };
    this.recorded.push(record);
    try {
      const response = await fetch(this.target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'FastPix-Webhooks (unreel simulator)',
          ...(delivery.signature === null ? {} : { 'fastpix-signature': delivery.signature }),
        },
        body: delivery.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      record.status = response.status;
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    return record;
  }
}
