import { timingSafeEqual } from 'node:crypto';
import type { SimulatorRequest } from '@unreel/provider-kit/simulator';
import { signRpcV2 } from '../src/aliyun-signature-v2.js';
import { ACS3_ALGORITHM, acs3CanonicalRequest, acs3Signature, sha256Hex } from '../src/aliyun-signature-v3.js';
import { parseAliyunTimestamp } from '../src/aliyun-timestamp.js';
import type { RpcError } from './aliyun-vod-replies.js';

export interface SimulatedCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, every request must carry it (an STS key pair is only valid with its token). */
  securityToken?: string;
}

export type AuthResult =
  | {
      ok: true;
      scheme: 'v2' | 'v3';
      accessKeyId: string;
      nonce: string;
      action: string | undefined;
      version: string | undefined;
    }
  | {
      ok: false;
      scheme: 'v2' | 'v3' | 'none';
      accessKeyId: string | undefined;
      nonce: string | undefined;
      error: RpcError;
    };

export interface AuthenticatorOptions {
  credentials: readonly SimulatedCredential[];
  now: () => number;
  /** How far Timestamp / x-acs-date may be from the server clock, either way. */
  toleranceMs: number;
}

/** The gateway's own wording for these refusals (public SDK error tables and issue reports; see README). */
const errors = {
  incomplete: (detail: string): RpcError => ({
    status: 400,
    code: 'IncompleteSignature',
    message: `The request signature does not conform to Aliyun standards. ${detail}`,
  }),
  badTimestamp: (): RpcError => ({
    status: 400,
    code: 'InvalidTimeStamp.Format',
    message: 'Specified time stamp or date value is not well formatted.',
  }),
  expired: (): RpcError => ({
    status: 400,
    code: 'InvalidTimeStamp.Expired',
    message: 'Specified time stamp or date value is expired.',
  }),
  unknownKey: (): RpcError => ({
    status: 404,
    code: 'InvalidAccessKeyId.NotFound',
    message: 'Specified access key is not found.',
  }),
  missingToken: (): RpcError => ({
    status: 400,
    code: 'MissingSecurityToken',
    message: 'SecurityToken is mandatory for this action.',
  }),
  tokenMismatch: (): RpcError => ({
    status: 400,
    code: 'InvalidSecurityToken.MismatchWithAccessKey',
    message: 'Specified SecurityToken mismatch with the AccessKey.',
  }),
  v2Mismatch: (stringToSign: string): RpcError => ({
    status: 400,
    code: 'SignatureDoesNotMatch',
    message: `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
  }),
  v3Mismatch: (stringToSign: string): RpcError => ({
    status: 400,
    code: 'SignatureDoesNotMatch',
    message: `Specified signature does not match our calculation. server StringToSign is [${stringToSign}]`,
  }),
  nonceUsed: (): RpcError => ({
    status: 400,
    code: 'SignatureNonceUsed',
    message: 'Specified signature nonce was used already.',
  }),
};

const AUTHORIZATION =
  /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;
const V3_REQUIRED_HEADERS = [
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

/**
 * Verifies a request as Alibaba documents both schemes, by recomputing the signature from what was received: V2 from
 * the query or form parameters; ACS3 from the Authorization header, the headers it names, the canonical query and the
 * body's hash. A nonce is remembered (per AccessKey) for as long as its timestamp could still be accepted, and only
 * once the signature proved the request genuine, so a forger cannot burn someone else's nonces.
 */
export class RequestAuthenticator {
  private readonly credentials: Map<string, SimulatedCredential>;
  private readonly now: () => number;
  private readonly toleranceMs: number;
  private readonly nonces = new Map<string, number>();

  constructor(options: AuthenticatorOptions) {
    this.credentials = new Map(options.credentials.map((credential) => [credential.accessKeyId, credential]));
    this.now = options.now;
    this.toleranceMs = options.toleranceMs;
  }

  authenticate(request: SimulatorRequest, params: ReadonlyMap<string, string>): AuthResult {
    const authorization = header(request, 'authorization');
    if (authorization?.startsWith(ACS3_ALGORITHM)) return this.authenticateV3(request, authorization);
    if (params.has('Signature') || params.has('AccessKeyId')) return this.authenticateV2(request, params);
    return refuse(
      'none',
      undefined,
      undefined,
      errors.incomplete(
        'The request carries neither an ACS3-HMAC-SHA256 Authorization header nor a Signature parameter.',
      ),
    );
  }

  private authenticateV2(request: SimulatorRequest, params: ReadonlyMap<string, string>): AuthResult {
    const accessKeyId = params.get('AccessKeyId');
    const nonce = params.get('SignatureNonce');
    for (const name of [
      'AccessKeyId',
      'Signature',
      'SignatureMethod',
      'SignatureVersion',
      'SignatureNonce',
      'Timestamp',
    ]) {
      if (!params.get(name)) return refuse('v2', accessKeyId, nonce, errors.incomplete(`${name} is missing.`));
    }
    if (params.get('SignatureMethod') !== 'HMAC-SHA1')
      return refuse('v2', accessKeyId, nonce, errors.incomplete('SignatureMethod must be HMAC-SHA1.'));
    if (params.get('SignatureVersion') !== '1.0')
      return refuse('v2', accessKeyId, nonce, errors.incomplete('SignatureVersion must be 1.0.'));
    const stale = this.checkTime(params.get('Timestamp')!);
    if (stale) return refuse('v2', accessKeyId, nonce, stale);
    const credential = this.credentials.get(accessKeyId!);
    if (!credential) return refuse('v2', accessKeyId, nonce, errors.unknownKey());
    const tokenError = checkToken(credential, params.get('SecurityToken'));
    if (tokenError) return refuse('v2', accessKeyId, nonce, tokenError);
    const method = request.method === 'POST' ? 'POST' : 'GET';
    const expected = signRpcV2({
      method,
      params: Object.fromEntries(params),
      accessKeySecret: credential.accessKeySecret,
    });
    if (!sameText(expected.signature, params.get('Signature')!))
      return refuse('v2', accessKeyId, nonce, errors.v2Mismatch(expected.stringToSign));
    if (!this.useNonce(credential.accessKeyId, nonce!)) return refuse('v2', accessKeyId, nonce, errors.nonceUsed());
    return {
      ok: true,
      scheme: 'v2',
      accessKeyId: credential.accessKeyId,
      nonce: nonce!,
      action: params.get('Action'),
      version: params.get('Version'),
    };
  }

  private authenticateV3(request: SimulatorRequest, authorization: string): AuthResult {
    const nonce = header(request, 'x-acs-signature-nonce');
    const parsed = AUTHORIZATION.exec(authorization);
    if (!parsed) return refuse('v3', undefined, nonce, errors.incomplete('The Authorization header is malformed.'));
    const [, accessKeyId, signedHeaderList, signature] = parsed as unknown as [string, string, string, string];
    for (const name of V3_REQUIRED_HEADERS) {
      if (!header(request, name))
        return refuse('v3', accessKeyId, nonce, errors.incomplete(`The ${name} header is missing.`));
    }
    const signedHeaders = signedHeaderList.split(';');
    const mustSign = [
      'host',
      ...V3_REQUIRED_HEADERS,
      ...(header(request, 'x-acs-security-token') ? ['x-acs-security-token'] : []),
    ];
    const unsigned = mustSign.filter((name) => !signedHeaders.includes(name));
    if (unsigned.length > 0)
      return refuse('v3', accessKeyId, nonce, errors.incomplete(`SignedHeaders must include ${unsigned.join(', ')}.`));
    const absent = signedHeaders.filter((name) => header(request, name) === undefined);
    if (absent.length > 0)
      return refuse(
        'v3',
        accessKeyId,
        nonce,
        errors.incomplete(`Signed header ${absent.join(', ')} is not in the request.`),
      );
    const stale = this.checkTime(header(request, 'x-acs-date')!);
    if (stale) return refuse('v3', accessKeyId, nonce, stale);
    const credential = this.credentials.get(accessKeyId);
    if (!credential) return refuse('v3', accessKeyId, nonce, errors.unknownKey());
    const tokenError = checkToken(credential, header(request, 'x-acs-security-token'));
    if (tokenError) return refuse('v3', accessKeyId, nonce, tokenError);
    const claimedHash = header(request, 'x-acs-content-sha256')!;
    const canonical = acs3CanonicalRequest({
      method: request.method,
      query: request.query,
      headers: signedHeaders.map((name) => [name, header(request, name)!] as const),
      // The header is what the client signed; a body that does not hash to it fails below even if the header matches.
      hashedPayload: claimedHash,
    });
    const expected = acs3Signature(credential.accessKeySecret, canonical.canonicalRequest);
    if (
      !sameText(expected.signature, signature.toLowerCase()) ||
      !sameText(sha256Hex(request.rawBody), claimedHash.toLowerCase())
    ) {
      return refuse('v3', accessKeyId, nonce, errors.v3Mismatch(expected.stringToSign));
    }
    if (!this.useNonce(credential.accessKeyId, nonce!)) return refuse('v3', accessKeyId, nonce, errors.nonceUsed());
    // ACS3 carries Action and Version in headers; the query and form hold only the operation's own parameters.
    return {
      ok: true,
      scheme: 'v3',
      accessKeyId: credential.accessKeyId,
      nonce: nonce!,
      action: header(request, 'x-acs-action'),
      version: header(request, 'x-acs-version'),
    };
  }

  private checkTime(text: string): RpcError | undefined {
    const at = parseAliyunTimestamp(text);
    if (at === undefined) return errors.badTimestamp();
    return Math.abs(this.now() - at) > this.toleranceMs ? errors.expired() : undefined;
  }

  private useNonce(accessKeyId: string, nonce: string): boolean {
    const now = this.now();
    for (const [key, expiresAt] of this.nonces) if (expiresAt <= now) this.nonces.delete(key);
    const key = `${accessKeyId}\n${nonce}`;
    if (this.nonces.has(key)) return false;
    // Past this, the timestamp check refuses the request anyway, so the nonce need not be remembered longer.
    this.nonces.set(key, now + 2 * this.toleranceMs);
    return true;
  }
}

function refuse(
  scheme: 'v2' | 'v3' | 'none',
  accessKeyId: string | undefined,
  nonce: string | undefined,
  error: RpcError,
): AuthResult {
  return { ok: false, scheme, accessKeyId, nonce, error };
}

function checkToken(credential: SimulatedCredential, received: string | undefined): RpcError | undefined {
  if (credential.securityToken === undefined) return received === undefined ? undefined : errors.tokenMismatch();
  if (received === undefined) return errors.missingToken();
  return sameText(credential.securityToken, received) ? undefined : errors.tokenMismatch();
}

function header(request: SimulatorRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

function sameText(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
