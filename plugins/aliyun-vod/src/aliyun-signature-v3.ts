import { createHash, createHmac } from 'node:crypto';
import { canonicalQueryString } from './aliyun-percent-encode.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Hex SHA-256 of the body: `x-acs-content-sha256` and the canonical request's HashedRequestPayload. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Acs3CanonicalRequestInput {
  method: string;
  /** Decoded query parameters; encoded and sorted here. */
  query: Iterable<readonly [string, string]>;
  /** The headers to sign, any case; names are lower-cased, values trimmed, then sorted. */
  headers: Iterable<readonly [string, string]>;
  hashedPayload: string;
}

export interface Acs3CanonicalRequest {
  canonicalRequest: string;
  /** Lower-case header names, sorted, joined with `;`. */
  signedHeaders: string;
}

/**
 * ACS3 CanonicalRequest (providers.md §5.6): `METHOD\n/\nquery\nheaders\nsignedHeaders\npayloadHash`. The canonical
 * URI is always `/` for RPC calls. Each canonical header line ends in `\n`, so a blank line precedes SignedHeaders.
 */
export function acs3CanonicalRequest(input: Acs3CanonicalRequestInput): Acs3CanonicalRequest {
  const headers = Array.from(input.headers, ([name, value]) => [name.toLowerCase(), value.trim()] as const);
  headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    '/',
    canonicalQueryString(input.query),
    canonicalHeaders,
    signedHeaders,
    input.hashedPayload,
  ].join('\n');
  return { canonicalRequest, signedHeaders };
}

export interface Acs3Signature {
  hashedCanonicalRequest: string;
  stringToSign: string;
  /** Lower-case hex HMAC-SHA256. */
  signature: string;
}

/** `StringToSign = "ACS3-HMAC-SHA256\n" + hex(sha256(canonical))`, signed with the secret as is (no `&` here). */
export function acs3Signature(accessKeySecret: string, canonicalRequest: string): Acs3Signature {
  const hashedCanonicalRequest = sha256Hex(canonicalRequest);
  const stringToSign = `${ACS3_ALGORITHM}\n${hashedCanonicalRequest}`;
  const signature = createHmac('sha256', accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return { hashedCanonicalRequest, stringToSign, signature };
}

function acs3Authorization(accessKeyId: string, signedHeaders: string, signature: string): string {
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

export interface RpcV3SignatureInput {
  method: string;
  /** `host[:port]` exactly as the request line's authority will carry it. */
  host: string;
  query: Iterable<readonly [string, string]>;
  /** Request headers; `content-type` and every `x-acs-*` one are signed, the rest are not. */
  headers: Iterable<readonly [string, string]>;
  hashedPayload: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface RpcV3Signature extends Acs3CanonicalRequest, Acs3Signature {
  authorization: string;
}

/** Signs an RPC call with ACS3-HMAC-SHA256: host, content-type and every `x-acs-*` header are covered. */
export function signRpcV3(input: RpcV3SignatureInput): RpcV3Signature {
  const signed: [string, string][] = [['host', input.host]];
  for (const [name, value] of input.headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower.startsWith('x-acs-')) signed.push([lower, value]);
  }
  const canonical = acs3CanonicalRequest({
    method: input.method,
    query: input.query,
    headers: signed,
    hashedPayload: input.hashedPayload,
  });
  const signature = acs3Signature(input.accessKeySecret, canonical.canonicalRequest);
  return {
    ...canonical,
    ...signature,
    authorization: acs3Authorization(input.accessKeyId, canonical.signedHeaders, signature.signature),
  };
}
