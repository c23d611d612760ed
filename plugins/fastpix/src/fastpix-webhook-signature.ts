import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Which key produced a valid `FastPix-Signature`. FastPix's SDK and Ruby example key the HMAC with the signing secret
 * base64-DECODED; some third-party code keys it with the secret string as typed. Both are accepted.
 */
export type FastPixSignatureKey = 'decoded-secret' | 'raw-secret';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SHA256_BYTES = 32;

/**
 * Checks a base64 HMAC-SHA256 of the raw body, in constant time per comparison. The header holds one value; a
 * comma-separated list is accepted too, so a secret rotation that signs twice still verifies.
 */
export function verifyFastPixSignature(
  rawBody: Uint8Array,
  header: string | undefined,
  secret: string,
): FastPixSignatureKey | undefined {
  if (header === undefined) return undefined;
  const provided = header
    .split(',')
    .map((value) => value.trim())
    .filter((value) => BASE64.test(value))
    .map((value) => Buffer.from(value, 'base64'))
    .filter((digest) => digest.length === SHA256_BYTES);
  if (provided.length === 0) return undefined;
  const keys: [FastPixSignatureKey, Buffer][] = [
    ['decoded-secret', Buffer.from(secret, 'base64')],
    ['raw-secret', Buffer.from(secret, 'utf8')],
  ];
  for (const [name, key] of keys) {
    if (key.length === 0) continue;
    const expected = createHmac('sha256', key).update(rawBody).digest();
    if (provided.some((digest) => timingSafeEqual(digest, expected))) return name;
  }
  return undefined;
}
