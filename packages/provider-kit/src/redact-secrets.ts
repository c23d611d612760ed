/**
 * The one place unreel decides how a secret is hidden: a plugin's own messages (through `scrubMessage`) and the
 * server's log lines, responses and wrapped provider errors all go through here, so they cannot disagree.
 *
 * A secret is found as it is and in the forms a request carries it in: percent-encoded (a signed query, a form body;
 * upper or lower case hex, `+` for a space) and base64, standard or url-safe, on its own or inside a longer base64
 * string such as the `user:secret` of an HTTP Basic header (`basicAuthorization`). A base64 find takes the whole
 * base64 run around it, so a Basic header's credentials go entirely, username included.
 */
const REDACTED = '[redacted]';

/** Very short values would redact ordinary words and are no secret worth the name. */
const MIN_SECRET_LENGTH = 4;

/** Characters of a base64 or base64url run, padding aside. */
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/**
 * Redactors already built: `redactSecrets` is called per line, mostly with the same few lists (a plugin's own array of
 * its credentials). By the list object first, checked element by element, then by the secrets themselves.
 */
const byList = new WeakMap<object, { secrets: readonly string[]; redactor: SecretRedactor }>();
const CACHE_SIZE = 32;
const byContent = new Map<string, SecretRedactor>();

/** Whether a value is long enough to be treated as a secret at all; shorter ones are never redacted. */
export function isRedactableSecret(value: string): boolean {
  return value.length >= MIN_SECRET_LENGTH;
}

/** Replaces every form of each secret (see above) with `[redacted]`. Build a `SecretRedactor` once for a fixed set. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  return redactorFor(secrets).redact(text);
}

function redactorFor(secrets: Iterable<string>): SecretRedactor {
  const list = [...secrets];
  // A string is iterable too (its characters), and no WeakMap key.
  const keyed = typeof secrets === 'object' && secrets !== null;
  const known = keyed ? byList.get(secrets) : undefined;
  if (known && known.secrets.length === list.length && known.secrets.every((secret, index) => secret === list[index]))
    return known.redactor;
  const key = list.join('\u0000');
  let redactor = byContent.get(key);
  if (redactor) {
    // Most recently used last, so the oldest is the first to go.
    byContent.delete(key);
  } else {
    redactor = createSecretRedactor(list);
    if (byContent.size >= CACHE_SIZE) byContent.delete(byContent.keys().next().value as string);
  }
  byContent.set(key, redactor);
  if (keyed) byList.set(secrets, { secrets: list, redactor });
  return redactor;
}

export interface SecretRedactor {
  /** The text with every form of every secret replaced by `[redacted]`. */
  redact(text: string): string;
  /** Whether the text shows any secret in any form. */
  exposes(text: string): boolean;
}

interface SecretPattern {
  regex: RegExp;
  /** A base64 find widens to the base64 run around it: its edges carry bits of the secret too. */
  base64: boolean;
}

/**
 * Compiles a set of secrets once: every form of every secret in one pattern, so a line without any (nearly every
 * line) costs one scan. Where two finds overlap (one secret holding another, a raw key beside its encoding), their
 * union is redacted, so no part of either is left readable.
 */
export function createSecretRedactor(secrets: Iterable<string>): SecretRedactor {
  const patterns: SecretPattern[] = [];
  for (const secret of new Set(secrets)) {
    if (!isRedactableSecret(secret)) continue;
    patterns.push({ regex: new RegExp(plainOrPercentEncoded(secret), 'g'), base64: false });
    const fragments = base64Fragments(secret);
    if (fragments.length > 0) patterns.push({ regex: new RegExp(fragments.join('|'), 'g'), base64: true });
  }
  if (patterns.length === 0) return { redact: (text) => text, exposes: () => false };
  const any = new RegExp(patterns.map((pattern) => pattern.regex.source).join('|'));
  return {
    exposes: (text) => any.test(text),
    redact(text) {
      if (!any.test(text)) return text;
      const spans: [number, number][] = [];
      for (const { regex, base64 } of patterns) {
        regex.lastIndex = 0;
        for (let match = regex.exec(text); match; match = regex.exec(text)) {
          let start = match.index;
          let end = start + match[0].length;
          if (end === start) {
            regex.lastIndex += 1;
            continue;
          }
          if (base64) [start, end] = base64Run(text, start, end);
          spans.push([start, end]);
        }
      }
      return replaceSpans(text, spans);
    },
  };
}

/** Each character as itself or percent-encoded (any hex case); a space also as `+`. */
function plainOrPercentEncoded(secret: string): string {
  let source = '';
  for (const char of secret) {
    if (/[A-Za-z0-9]/.test(char)) {
      source += char;
      continue;
    }
    const encoded = [...Buffer.from(char, 'utf8')].map((byte) => `%${hexEitherCase(byte)}`).join('');
    source += `(?:${escapeRegExp(char)}${char === ' ' ? '|\\+' : ''}|${encoded})`;
  }
  return source;
}

function hexEitherCase(byte: number): string {
  return byte
    .toString(16)
    .toUpperCase()
    .padStart(2, '0')
    .split('')
    .map((digit) => (/[A-F]/.test(digit) ? `[${digit}${digit.toLowerCase()}]` : digit))
    .join('');
}

/**
 * The secret's base64 at each of the three byte alignments it can have inside a longer value (`user:secret`), cut to
 * the characters that depend on the secret alone, with `+` and `/` also matching url-safe `-` and `_`.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const fragments = new Set<string>();
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length)) / 6) - 1;
    const fragment = encoded.slice(first, last + 1);
    if (fragment.length >= MIN_SECRET_LENGTH) fragments.add(fragment);
  }
  return [...fragments].map((fragment) => fragment.replaceAll('+', '[+-]').replaceAll('/', '[/_]'));
}

function base64Run(text: string, start: number, end: number): [number, number] {
  let from = start;
  let to = end;
  while (from > 0 && BASE64_CHAR.test(text[from - 1] as string)) from -= 1;
  while (to < text.length && BASE64_CHAR.test(text[to] as string)) to += 1;
  while (text[to] === '=') to += 1;
  return [from, to];
}

function replaceSpans(text: string, spans: [number, number][]): string {
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  let result = '';
  let at = 0;
  for (const [start, end] of merged) {
    result += `${text.slice(at, start)}${REDACTED}`;
    at = end;
  }
  return result + text.slice(at);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
