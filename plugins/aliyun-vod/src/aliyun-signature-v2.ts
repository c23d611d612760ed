import { createHmac } from 'node:crypto';
import { canonicalQueryString, percentEncode } from './aliyun-percent-encode.js';

/** What signature V2 (HMAC-SHA1, SignatureVersion 1.0) covers: the method and every parameter but `Signature`. */
export interface RpcV2SignatureInput {
  method: 'GET' | 'POST';
  /** Common and operation parameters together, already flat (`Key.1`, `Key.2` for lists). */
  params: Readonly<Record<string, string>>;
  accessKeySecret: string;
}

export interface RpcV2Signature {
  /** Sorted, percent-encoded `k=v&...` without `Signature`: also the query or form body to send. */
  canonicalQuery: string;
  stringToSign: string;
  /** Base64; percent-encode it before it goes on the wire (`+`, `/` and `=` are reserved). */
  signature: string;
}

/**
 * Signature V2 for RPC-style calls (providers.md §5.5): `StringToSign = METHOD&%2F&percentEncode(canonical query)`,
 * signed with HMAC-SHA1 under the key `AccessKeySecret + "&"`. The trailing `&` is part of the key: the published
 * vectors only reproduce with it.
 */
export function signRpcV2(input: RpcV2SignatureInput): RpcV2Signature {
  const canonicalQuery = canonicalQueryString(Object.entries(input.params).filter(([name]) => name !== 'Signature'));
  const stringToSign = `${input.method}&${percentEncode('/')}&${percentEncode(canonicalQuery)}`;
  const signature = createHmac('sha1', `${input.accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
  return { canonicalQuery, stringToSign, signature };
}

/** The common parameters of a V2 call (providers.md §5.5 table); `Action` and the operation's own come on top. */
export function rpcV2CommonParams(input: {
  version: string;
  accessKeyId: string;
  nonce: string;
  timestamp: string;
  securityToken?: string | undefined;
}): Record<string, string> {
  return {
    Format: 'JSON',
    Version: input.version,
    AccessKeyId: input.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: input.nonce,
    Timestamp: input.timestamp,
    ...(input.securityToken === undefined ? {} : { SecurityToken: input.securityToken }),
  };
}
