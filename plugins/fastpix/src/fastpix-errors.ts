import type { DeleteOutcome, ProviderErrorCode } from '@unreel/provider-spec';
import { itemFailure, type ErrorDescription, type ErrorResponse } from '@unreel/provider-kit';

/** `Default-Error` (`{ success: false, error: { code, message, description } }`) and the 422 variant with `fields`. */
interface FastPixErrorDetail {
  code?: number;
  message?: string;
  description?: string;
  fields?: { field: string; message: string }[];
}

/** Statuses a DELETE answers about the one media it names, rather than about the whole call. */
export const PER_MEDIA_DELETE_STATUSES = [400, 403, 404, 409, 422] as const;

function readFastPixError(body: unknown): FastPixErrorDetail | undefined {
  if (body == null || typeof body !== 'object') return undefined;
  const error = (body as { error?: unknown }).error;
  if (error == null || typeof error !== 'object') return undefined;
  const record = error as Record<string, unknown>;
  const fields = Array.isArray(record.fields)
    ? record.fields.flatMap((entry: unknown) => {
        if (entry == null || typeof entry !== 'object') return [];
        const { field, message } = entry as Record<string, unknown>;
        return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
      })
    : undefined;
  return {
    ...(typeof record.code === 'number' ? { code: record.code } : {}),
    ...(typeof record.message === 'string' ? { message: record.message } : {}),
    ...(typeof record.description === 'string' ? { description: record.description } : {}),
    ...(fields && fields.length > 0 ? { fields } : {}),
  };
}

/** One line out of FastPix's error body: `message: description`, plus the fields a 422 names. */
function fastpixErrorText(body: unknown): string | undefined {
  const error = readFastPixError(body);
  if (!error) return undefined;
  const parts = [error.message, error.description].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  const fields = error.fields?.map((field) => `${field.field} ${field.message}`).join('; ');
  const text = [parts.join(': '), fields ? `(${fields})` : ''].filter((part) => part !== '').join(' ');
  return text === '' ? undefined : text;
}

/**
 * Bad credentials: 401 as the SDK maps it, and also a 403 whose message is `unauthorized`, because FastPix's own
 * example of the credentials error carries `code: 403` and a 403 is otherwise a per-media refusal.
 */
export function isCredentialRefusal(status: number, body: unknown): boolean {
  if (status === 401) return true;
  return status === 403 && readFastPixError(body)?.message?.trim().toLowerCase() === 'unauthorized';
}

/** For `createProviderClient`: FastPix's message in errors, and the credential refusal as UNAUTHORIZED. */
export function describeFastPixError(response: ErrorResponse): ErrorDescription | undefined {
  const message = fastpixErrorText(response.body);
  const code: ProviderErrorCode | undefined = isCredentialRefusal(response.status, response.body)
    ? 'UNAUTHORIZED'
    : undefined;
  if (message === undefined && code === undefined) return undefined;
  return { ...(message === undefined ? {} : { message }), ...(code === undefined ? {} : { code }) };
}

/**
 * The outcome of a DELETE FastPix refused for this media alone. A refusal of a media still processing is not
 * documented: 409 ("Data Conflict" in FastPix's status table) is read as that refusal, and so is a 422 that speaks of
 * processing; any other 422 or 400 is a request FastPix will never accept as sent.
 */
export function refusedDeleteOutcome(
  mediaId: string,
  status: number,
  body: unknown,
  secrets: readonly string[],
): DeleteOutcome {
  if (status === 404) return { status: 'NOT_FOUND' };
  const said = fastpixErrorText(body);
  const because = (summary: string): string =>
    said ? `${summary} (fastpix answered ${status}: ${said})` : `${summary} (fastpix answered ${status})`;
  if (status === 403) {
    return itemFailure('FORBIDDEN', because(`FastPix does not let this access token delete media ${mediaId}`), {
      secrets,
    });
  }
  if (status === 409 || (status === 422 && speaksOfProcessing(body))) {
    return itemFailure(
      'IN_PROCESSING',
      because(`Media ${mediaId} is still processing and FastPix refused to delete it`),
      // Retryable later, not now: processing ends by itself, on no schedule the answer gives.
      { secrets, retryable: true, transient: false },
    );
  }
  return itemFailure('INVALID_REQUEST', because(`FastPix refused the request to delete media ${mediaId}`), { secrets });
}

function speaksOfProcessing(body: unknown): boolean {
  const error = readFastPixError(body);
  const text = [error?.message, error?.description, ...(error?.fields?.map((field) => field.message) ?? [])].join(' ');
  return /process|in queue|not ready|still (being )?(uploaded|downloaded|validated)/i.test(text);
}
