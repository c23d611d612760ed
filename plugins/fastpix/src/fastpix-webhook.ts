import {
  InvalidRequestError,
  UnauthorizedError,
  type WebhookEventV1,
  type WebhookRequestV1,
} from '@unreel/provider-spec';
import { verifyFastPixSignature, type FastPixSignatureKey } from './fastpix-webhook-signature.js';

const FASTPIX_DELETED_EVENT = 'video.media.deleted';
const FASTPIX_SIGNATURE_HEADER = 'fastpix-signature';

export interface ParsedFastPixWebhook {
  event: WebhookEventV1;
  /** Which key verified the delivery; absent for the unsigned validation probe. */
  verifiedWith?: FastPixSignatureKey;
}

/**
 * Verifies and reads one delivery. Two envelopes are in use: the SDK's (`object: { type: 'media', id }`, `workspace`,
 * camelCase `createdAt`) and the older one on docs.fastpix.io (`environment`, snake_case `data.*`, `created_at`); a
 * deletion is read from either. No timestamp is signed, so there is no replay window: the host de-duplicates on the
 * event id.
 */
export function parseFastPixWebhook(
  request: WebhookRequestV1,
  secret: string | undefined,
  now: () => Date = () => new Date(),
): ParsedFastPixWebhook {
  const header = request.headers[FASTPIX_SIGNATURE_HEADER];
  if (header === undefined || header.trim() === '') {
    // The dashboard checks a new endpoint with an unsigned `{}` and expects a 200.
    if (isEmptyObject(request.rawBody))
      return { event: { type: 'ignored', reason: 'FastPix endpoint validation probe (unsigned {})' } };
    throw new UnauthorizedError({ message: 'fastpix webhook: the delivery has no FastPix-Signature header' });
  }
  if (secret === undefined) {
    throw new UnauthorizedError({
      message: 'fastpix webhook: this account has no webhookSecret setting, so no delivery can be verified',
    });
  }
  const verifiedWith = verifyFastPixSignature(request.rawBody, header, secret);
  if (!verifiedWith) {
    throw new UnauthorizedError({ message: 'fastpix webhook: the FastPix-Signature does not match the body' });
  }
  return { event: readEvent(request.rawBody, now), verifiedWith };
}

function readEvent(rawBody: Uint8Array, now: () => Date): WebhookEventV1 {
  const body = parseJson(rawBody);
  if (body == null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError({ message: 'fastpix webhook: the signed body is not a JSON object' });
  }
  const envelope = body as Record<string, unknown>;
  const type = envelope.type;
  if (type !== FASTPIX_DELETED_EVENT) {
    return {
      type: 'ignored',
      reason: typeof type === 'string' ? `FastPix event ${type} is not a deletion` : 'FastPix event without a type',
    };
  }
  const eventId = nonEmptyString(envelope.id);
  if (!eventId)
    throw new InvalidRequestError({
      message: `fastpix webhook: ${FASTPIX_DELETED_EVENT} without an event id (top-level "id")`,
    });
  const videoId = nonEmptyString(field(envelope.object, 'id')) ?? nonEmptyString(field(envelope.data, 'id'));
  if (!videoId) {
    throw new InvalidRequestError({
      message: `fastpix webhook: ${FASTPIX_DELETED_EVENT} ${eventId} names no media ("object.id" or "data.id")`,
    });
  }
  return {
    type: 'video.deletion-confirmed',
    eventId,
    videoId,
    // Neither envelope is guaranteed to carry the event time; without it, receipt is the best confirmation time.
    confirmedAt: parseInstant(envelope.createdAt) ?? parseInstant(envelope.created_at) ?? now(),
    success: true,
  };
}

function isEmptyObject(rawBody: Uint8Array): boolean {
  const body = parseJson(rawBody);
  return body != null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}

function parseJson(rawBody: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(rawBody).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return value != null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

const EPOCH_MILLISECONDS_FLOOR = 1_000_000_000_000;

/** ISO strings (SDK envelope) or epoch numbers (the docs give `created_at` as an integer), seconds or milliseconds. */
function parseInstant(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return new Date(value >= EPOCH_MILLISECONDS_FLOOR ? value : value * 1000);
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
