import { codeForStatus, type ErrorDescription, type ErrorResponse } from '@unreel/provider-kit';
import type { ProviderErrorCode } from '@unreel/provider-spec';

/** What the official SDK counts as success in a body's `Code` (openapi-core-nodejs-sdk `lib/rpc.js`). */
const SUCCESS_CODES = new Set(['200', 'OK', 'Success', 'success']);

/** True when a response body carries an error `Code`, whatever its HTTP status: Alibaba classifies by body. */
export function isAliyunErrorBody(body: unknown): body is AliyunErrorBody {
  if (!isRecord(body)) return false;
  const code = body.Code;
  if (code === undefined || code === null || code === '') return false;
  return !SUCCESS_CODES.has(String(code));
}

/** `{RequestId, HostId, Code, Message, Recommend?}`: the RPC error body (providers.md §5.4). */
export interface AliyunErrorBody extends Record<string, unknown> {
  Code: string | number;
  Message?: string;
  RequestId?: string;
  HostId?: string;
  Recommend?: string;
}

interface Classification {
  code: ProviderErrorCode;
  retryable: boolean;
  hint?: string;
}

const AUTH_HINT = 'check accessKeyId and accessKeySecret';

/**
 * Alibaba error codes -> provider-spec codes. Exact codes first, then families by prefix.
 * - InvalidTimeStamp.Expired is NOT retryable: every attempt is signed afresh, so an expired timestamp means this
 *   machine's clock is more than 15 minutes off, and the next attempt would carry the same skew. Failing at once with
 *   a message about the clock beats burning the retry budget.
 * - SignatureNonceUsed IS retryable: every attempt gets a fresh UUID nonce, so a reused one can only be a replay of our
 *   own request (a proxy re-sending it); signing again with a new nonce succeeds.
 */
const EXACT: Readonly<Record<string, Classification>> = {
  Throttling: { code: 'RATE_LIMITED', retryable: true },
  'Throttling.User': { code: 'RATE_LIMITED', retryable: true },
  'Throttling.Api': { code: 'RATE_LIMITED', retryable: true },
  ServiceUnAvailable: { code: 'PROVIDER_ERROR', retryable: true },
  ServiceUnavailable: { code: 'PROVIDER_ERROR', retryable: true },
  InternalError: { code: 'PROVIDER_ERROR', retryable: true },
  DeleteVideoFailed: { code: 'PROVIDER_ERROR', retryable: true },
  Forbidden: { code: 'FORBIDDEN', retryable: false },
  'InvalidAccessKeyId.NotFound': { code: 'UNAUTHORIZED', retryable: false, hint: AUTH_HINT },
  SignatureDoesNotMatch: { code: 'UNAUTHORIZED', retryable: false, hint: 'check accessKeySecret' },
  IncompleteSignature: { code: 'UNAUTHORIZED', retryable: false },
  'InvalidTimeStamp.Expired': {
    code: 'UNAUTHORIZED',
    retryable: false,
    hint: "check this machine's clock: Alibaba allows 15 minutes of skew",
  },
  SignatureNonceUsed: { code: 'UNAUTHORIZED', retryable: true, hint: 'a fresh nonce on the next attempt cures it' },
  VideoIdsExceededMax: { code: 'INVALID_REQUEST', retryable: false },
  MissingParameter: { code: 'INVALID_REQUEST', retryable: false },
  InvalidParameter: { code: 'INVALID_REQUEST', retryable: false },
  'InvalidVideo.NotFound': { code: 'NOT_FOUND', retryable: false },
};

const PREFIXES: readonly (readonly [string, Classification])[] = [
  ['Throttling.', { code: 'RATE_LIMITED', retryable: true }],
  ['OperationDenied', { code: 'FORBIDDEN', retryable: false }],
  ['Forbidden.', { code: 'FORBIDDEN', retryable: false }],
  ['InvalidAccessKeyId', { code: 'UNAUTHORIZED', retryable: false, hint: AUTH_HINT }],
  ['InvalidSecurityToken', { code: 'UNAUTHORIZED', retryable: false, hint: 'check securityToken' }],
  ['MissingSecurityToken', { code: 'UNAUTHORIZED', retryable: false, hint: 'set securityToken for STS credentials' }],
  ['MissingAccessKeyId', { code: 'UNAUTHORIZED', retryable: false }],
  ['InvalidTimeStamp', { code: 'UNAUTHORIZED', retryable: false }],
  ['InvalidParameter', { code: 'INVALID_REQUEST', retryable: false }],
  ['Missing', { code: 'INVALID_REQUEST', retryable: false }],
  ['InvalidVersion', { code: 'INVALID_REQUEST', retryable: false }],
  ['InvalidAction', { code: 'INVALID_REQUEST', retryable: false }],
];

/** The provider-spec code of an Alibaba error code, or undefined for one this plugin does not know. */
export function classifyAliyunCode(code: string): Classification | undefined {
  const exact = EXACT[code];
  if (exact) return exact;
  return PREFIXES.find(([prefix]) => code.startsWith(prefix))?.[1];
}

/**
 * `describeError` for the provider-kit client: classification by the body's `Code` whatever the HTTP status, and a
 * message that keeps Alibaba's words and RequestId but drops the server's string-to-sign (it can carry an STS token,
 * percent-encoded so that redaction would miss it).
 */
export function describeAliyunError(response: ErrorResponse): ErrorDescription | undefined {
  if (!isAliyunErrorBody(response.body)) return undefined;
  const body = response.body;
  const code = String(body.Code);
  const known = classifyAliyunCode(code);
  const classification = known ?? fallback(response.status);
  const parts = [`${code}: ${cleanMessage(body.Message)}`];
  if (classification.hint) parts.push(`(${classification.hint})`);
  if (typeof body.RequestId === 'string' && body.RequestId !== '') parts.push(`[RequestId ${body.RequestId}]`);
  return { code: classification.code, message: parts.join(' '), retryable: classification.retryable };
}

/** An unknown code: a 4xx/5xx says what it can; an error inside a 2xx means we cannot tell what happened. */
function fallback(status: number): Classification {
  if (status >= 400) {
    const code = codeForStatus(status);
    return { code, retryable: code === 'RATE_LIMITED' || code === 'PROVIDER_ERROR' || code === 'TIMEOUT' };
  }
  return { code: 'PROVIDER_ERROR', retryable: false };
}

const STRING_TO_SIGN = /\s*\.?\s*server\s+(string\s*to\s*sign|StringToSign)\s+is\b[\s\S]*$/i;

function cleanMessage(message: unknown): string {
  if (typeof message !== 'string' || message.trim() === '') return 'no message';
  return message.replace(STRING_TO_SIGN, '').trim() || 'no message';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}
