import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * ApsaraVideo VOD HTTP callback authentication (alibabacloud.com/help/doc-detail/67214.htm, "HTTP callback
 * authentication"): `X-VOD-SIGNATURE = md5hex(<callback URL>|<X-VOD-TIMESTAMP>|<PrivateKey>)`, the timestamp being
 * UNIX seconds. Note what it does NOT cover: the body. A captured signature is valid for any body until the receiver's
 * time window closes, which is why the window should stay short.
 */
export function vodCallbackSignature(callbackUrl: string, timestamp: string, authKey: string): string {
  return createHash('md5').update(`${callbackUrl}|${timestamp}|${authKey}`, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures (case-insensitive). */
export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(received.trim().toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
