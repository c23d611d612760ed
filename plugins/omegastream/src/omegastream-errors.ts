import type { ErrorDescription, ErrorResponse } from '@unreel/provider-kit';

/**
 * What a refusal says about one video. OmegaStream documents no error body and no `failed_videos` reason, so this
 * reads whatever text there is; `NOT_YET_DELETABLE` is the documented precondition ("completed processing or failed
 * for more than 4 hours"), which covers both a video still processing and one finished too recently.
 */
export type RefusalKind =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'ALREADY_DELETED'
  | 'NOT_DELETED'
  | 'NOT_YET_DELETABLE'
  | 'IN_PROCESSING'
  | 'TOO_RECENT'
  | 'UNKNOWN';

// Order matters: "not marked for deletion" must not read as "marked for deletion", and the documented precondition
// mentions "processing" although it is just as much about the 4 hours.
const PATTERNS: readonly (readonly [RefusalKind, RegExp])[] = [
  ['NOT_DELETED', /\bnot\s+(?:been\s+|yet\s+)?(?:deleted|marked\s+for\s+deletion)|\bisn'?t\s+deleted/i],
  ['ALREADY_DELETED', /already\s+(?:been\s+)?(?:deleted|removed|marked)|marked\s+for\s+deletion/i],
  ['NOT_FOUND', /not[\s_-]*found|does\s*n[o']t\s+exist|not\s+exist|no\s+such|unknown\s+(?:video|uuid)/i],
  [
    'FORBIDDEN',
    /forbidden|not[\s_-]*owned|(?:does\s*n[o']t|not)\s+belong|(?:an)?other\s+company|permission|not\s+allowed|access\s+denied|not\s+authori[sz]ed\s+to/i,
  ],
  ['NOT_YET_DELETABLE', /(?:completed|finished)\s+processing\s+or\s+failed|more\s+than\s+(?:\d+|four)\s*h/i],
  ['TOO_RECENT', /too\s+(?:recent|new|soon)|recently\s+(?:processed|completed|failed)|less\s+than\s+\d+\s*h/i],
  [
    'IN_PROCESSING',
    /processing|in[\s_-]progress|not\s+(?:yet\s+)?(?:completed|processed|finished|ready)|\buploaded\b|ready[\s_-]to[\s_-]upload/i,
  ],
];

export function classifyReason(reason: string | undefined): RefusalKind {
  if (!reason) return 'UNKNOWN';
  for (const [kind, pattern] of PATTERNS) if (pattern.test(reason)) return kind;
  return 'UNKNOWN';
}

/**
 * The human text of an error body or a `failed_videos` reason, whatever its shape: a string, `{message}`, `{error}`,
 * `{error: {message}}`, `{reason}`, `{detail}`, with a `code` in front when there is one.
 */
export function reasonText(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (value == null || typeof value !== 'object' || Array.isArray(value) || depth > 3) return undefined;
  const record = value as Record<string, unknown>;
  let text: string | undefined;
  for (const key of ['message', 'reason', 'error', 'detail', 'msg', 'description']) {
    text = reasonText(record[key], depth + 1);
    if (text) break;
  }
  const code = typeof record.code === 'string' && record.code !== '' ? record.code : undefined;
  if (code && text && !text.includes(code)) return `${code}: ${text}`;
  return text ?? code;
}

/**
 * Whole-call errors (401, 429, 5xx...): take the message from any body shape, and count a throttling message as
 * throttling even under another status, since no status for it is documented.
 */
export function describeOmegastreamError(response: ErrorResponse): ErrorDescription | undefined {
  const message = reasonText(response.body);
  if (response.status !== 429 && message && /too\s+many\s+requests|rate[\s_-]?limit|throttl/i.test(message)) {
    return { code: 'RATE_LIMITED', message, retryable: true };
  }
  return message === undefined ? undefined : { message };
}
