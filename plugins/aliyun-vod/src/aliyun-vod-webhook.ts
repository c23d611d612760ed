import {
  InvalidRequestError,
  UnauthorizedError,
  type WebhookEventV1,
  type WebhookRequestV1,
} from '@unreel/provider-spec';
import { parseAliyunTimestamp } from './aliyun-timestamp.js';
import { sameSignature, vodCallbackSignature } from './aliyun-vod-callback-signature.js';
import { classifyAliyunCode, isRecord } from './aliyun-vod-errors.js';

export interface VodCallbackVerification {
  /** Unset: every delivery is refused, because nothing could tell a real one from a forged one. */
  authKey: string | undefined;
  callbackUrl: string | undefined;
  maxAgeSeconds: number;
  now?: () => number;
}

/**
 * Verifies one HTTP callback (X-VOD-TIMESTAMP / X-VOD-SIGNATURE) and reads a DeleteMediaComplete event
 * (providers.md §5.7). Everything that is not the deletion of a whole video is acknowledged and ignored.
 */
export function parseVodCallback(request: WebhookRequestV1, verification: VodCallbackVerification): WebhookEventV1 {
  verify(request, verification);
  const event = readJson(request.rawBody);
  if (event.EventType !== 'DeleteMediaComplete') {
    return { type: 'ignored', reason: `aliyun-vod event ${describe(event.EventType)} is not about a deletion` };
  }
  // DeleteType mezzanine/stream report the removal of a source file or of transcoded streams; the video stays.
  if (event.MediaType !== 'video' || event.DeleteType !== 'all') {
    return {
      type: 'ignored',
      reason: `aliyun-vod DeleteMediaComplete for MediaType ${describe(event.MediaType)}, DeleteType ${describe(event.DeleteType)} is not a whole video's deletion`,
    };
  }
  const videoId = requiredString(event, 'MediaId');
  const eventTime = requiredString(event, 'EventTime');
  const at = parseAliyunTimestamp(eventTime) ?? Date.parse(eventTime);
  if (Number.isNaN(at))
    throw new InvalidRequestError({ message: `aliyun-vod callback: EventTime "${eventTime}" is not a UTC time` });
  const status = requiredString(event, 'Status');
  if (status !== 'success' && status !== 'fail') {
    throw new InvalidRequestError({ message: `aliyun-vod callback: Status must be success or fail, got "${status}"` });
  }
  // The callback has no delivery id. Alibaba re-sends the same body when a delivery fails, so the event's own fields
  // name it: the same deletion reported twice gets the same id, a later report of another outcome a different one.
  const eventId = ['DeleteMediaComplete', videoId, eventTime, status].join(':');
  const base = { type: 'video.deletion-confirmed' as const, eventId, videoId, confirmedAt: new Date(at) };
  if (status === 'success') return { ...base, success: true };
  const errorCode = typeof event.ErrorCode === 'string' && event.ErrorCode !== '' ? event.ErrorCode : 'Unknown';
  const errorMessage =
    typeof event.ErrorMessage === 'string' && event.ErrorMessage !== '' ? event.ErrorMessage : 'no message';
  return {
    ...base,
    success: false,
    error: {
      code: classifyAliyunCode(errorCode)?.code ?? 'PROVIDER_ERROR',
      message: `${errorCode}: ${errorMessage}`,
      retryable: false,
    },
  };
}

function verify(request: WebhookRequestV1, verification: VodCallbackVerification): void {
  const { authKey, callbackUrl } = verification;
  if (authKey === undefined || callbackUrl === undefined) {
    throw new UnauthorizedError({
      message: 'aliyun-vod callbacks cannot be verified: set callbackAuthKey and callbackUrl for this account',
    });
  }
  const timestamp = request.headers['x-vod-timestamp']?.trim();
  const signature = request.headers['x-vod-signature']?.trim();
  if (!timestamp || !signature) {
    throw new UnauthorizedError({
      message: 'aliyun-vod callback is unsigned: X-VOD-TIMESTAMP or X-VOD-SIGNATURE is missing',
    });
  }
  if (!/^\d{1,12}$/.test(timestamp))
    throw new UnauthorizedError({ message: 'aliyun-vod callback: X-VOD-TIMESTAMP is not UNIX seconds' });
  const nowSeconds = Math.floor((verification.now?.() ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > verification.maxAgeSeconds) {
    throw new UnauthorizedError({
      message: `aliyun-vod callback is stale: X-VOD-TIMESTAMP is more than ${verification.maxAgeSeconds}s away from now`,
    });
  }
  if (!sameSignature(vodCallbackSignature(callbackUrl, timestamp, authKey), signature)) {
    throw new UnauthorizedError({
      message: 'aliyun-vod callback signature does not match: check callbackAuthKey and callbackUrl',
    });
  }
}

function readJson(rawBody: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch {
    throw new InvalidRequestError({ message: 'aliyun-vod callback body is not JSON' });
  }
  if (!isRecord(parsed)) throw new InvalidRequestError({ message: 'aliyun-vod callback body is not a JSON object' });
  return parsed;
}

function requiredString(event: Record<string, unknown>, field: string): string {
  const value = event[field];
  if (typeof value !== 'string' || value === '')
    throw new InvalidRequestError({ message: `aliyun-vod callback: ${field} is missing` });
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : 'missing';
}
