import { InvalidInputError } from '../errors/invalid-input-error.js';

export const ACCOUNT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MAX_NATIVE_ID_LENGTH = 256;
// Control characters and whitespace never occur in any provider's ids and would corrupt logs and URLs.
const FORBIDDEN_NATIVE_CHARACTERS = /[\s\p{Cc}]/u;

export interface ParsedVideoId {
  account: string;
  nativeId: string;
}

/** `<account>:<native id>`, split on the first `:` because native ids may contain colons. */
/** `field` names the input the id came from, for the error a client sees (`ids` of deleteVideos, `id` elsewhere). */
export function parseVideoId(id: string, field = 'ids'): ParsedVideoId {
  const separator = id.indexOf(':');
  const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
  if (separator <= 0) {
    throw new InvalidInputError(`Invalid video id ${shown}: expected "<account>:<provider video id>"`, field);
  }
  const account = id.slice(0, separator);
  const nativeId = id.slice(separator + 1);
  if (!ACCOUNT_NAME_PATTERN.test(account)) {
    throw new InvalidInputError(
      `Invalid video id ${shown}: the account part must be lower-case letters, digits, "-" or "_"`,
      field,
    );
  }
  if (nativeId.length === 0 || nativeId.length > MAX_NATIVE_ID_LENGTH || FORBIDDEN_NATIVE_CHARACTERS.test(nativeId)) {
    throw new InvalidInputError(
      `Invalid video id ${shown}: the provider id must be 1 to ${MAX_NATIVE_ID_LENGTH} characters without spaces or control characters`,
      field,
    );
  }
  return { account, nativeId };
}

export function formatVideoId(account: string, nativeId: string): string {
  return `${account}:${nativeId}`;
}
