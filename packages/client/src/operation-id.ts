import { UnreelClientError } from './client-error.js';

interface CryptoLike {
  randomUUID?: () => string;
  getRandomValues?: (array: Uint8Array) => Uint8Array;
}

/**
 * A random v4 UUID for an `operationId`. Browsers give `crypto.randomUUID` only to secure contexts (https, or
 * localhost), so a page opened as `http://192.168.1.20:5173` has none; `crypto.getRandomValues` exists everywhere
 * and is as random, so the UUID is built from it there (RFC 9562, section 5.4).
 */
export function newOperationId(
  cryptoImpl: CryptoLike | undefined = globalThis.crypto as CryptoLike | undefined,
): string {
  if (typeof cryptoImpl?.randomUUID === 'function') return cryptoImpl.randomUUID();
  if (typeof cryptoImpl?.getRandomValues !== 'function')
    throw new UnreelClientError(
      'BAD_REQUEST',
      'no crypto.getRandomValues in this runtime to generate an operationId: pass operationId yourself',
      { field: 'operationId' },
    );
  const bytes = cryptoImpl.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10xx
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
