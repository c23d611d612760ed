import type { IncomingMessage } from 'node:http';
import { finished, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { parse as parseContentType, type ContentType } from 'content-type';
import getRawBody from 'raw-body';

/** A body that could not be read, typed as body-parser types its errors, so one mapping answers both (json-errors.ts). */
class BodyReadError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyReadError';
  }
}

/**
 * The JSON body of a request, read as express.json() reads it (body-parser's json with its defaults), without
 * express: undefined for a request with no body or another content type (Apollo then says what it wants), a body
 * inflated as its Content-Encoding says, at most `limit` bytes, any UTF charset, and strict JSON (an object or an
 * array; an empty body is `{}`). Refusals are thrown as body-parser throws them: 413 `entity.too.large`, 400
 * `entity.parse.failed`, 415 `charset.unsupported` or `encoding.unsupported`, raw-body's own.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const { headers } = request;
  if (headers['transfer-encoding'] === undefined && Number.isNaN(Number.parseInt(headers['content-length'] ?? '', 10)))
    return undefined;
  const charset = jsonCharset(headers['content-type']);
  if (charset === undefined) return undefined;
  const encoding = (headers['content-encoding'] ?? 'identity').toLowerCase();
  let decoder: Transform | undefined;
  try {
    if (!charset.startsWith('utf-'))
      throw new BodyReadError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`);
    decoder = decoderFor(encoding);
  } catch (error) {
    await discard(request, undefined);
    throw error;
  }
  const stream: Readable = decoder ? request.pipe(decoder) : request;
  let text: string;
  try {
    text = await getRawBody(stream, {
      encoding: charset,
      limit,
      // A compressed body's length says nothing of what it inflates to.
      ...(encoding === 'identity' && headers['content-length'] !== undefined
        ? { length: headers['content-length'] }
        : {}),
    });
  } catch (error) {
    // Read off the rest of the request first, as body-parser does, so the answer is not cut off by the unread body.
    await discard(request, decoder);
    const { status, type, message } = error as { status?: number; type?: string; message?: string };
    if (type === 'encoding.unsupported')
      throw new BodyReadError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`);
    throw new BodyReadError(status ?? 400, type ?? 'request.unreadable', message ?? 'the body could not be read');
  } finally {
    if (decoder) {
      request.unpipe(decoder);
      decoder.on('error', () => {});
      decoder.destroy();
      // Whatever the decoder left unread, so that the request ends.
      request.resume();
    }
  }
  if (text.length === 0) return {};
  const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[')
    throw new BodyReadError(400, 'entity.parse.failed', 'the body is not a JSON object or array');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyReadError(400, 'entity.parse.failed', error instanceof Error ? error.message : 'invalid JSON');
  }
}

/** The charset of a JSON content type (utf-8 unless it says), or undefined for any other type. */
function jsonCharset(type: string | undefined): string | undefined {
  // What nearly every client sends, without parsing it.
  if (type === 'application/json') return 'utf-8';
  if (type === undefined) return undefined;
  let parsed: ContentType;
  try {
    parsed = parseContentType(type);
  } catch {
    return undefined;
  }
  if (parsed.type !== 'application/json') return undefined;
  return (parsed.parameters.charset ?? 'utf-8').toLowerCase();
}

async function discard(request: IncomingMessage, decoder: Transform | undefined): Promise<void> {
  if (decoder) request.unpipe(decoder);
  if (request.readableEnded || request.destroyed) return;
  const done = new Promise<void>((resolve) => finished(request, () => resolve()));
  request.resume();
  await done;
}

/** What inflates a body sent with this Content-Encoding; none for identity. */
function decoderFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new BodyReadError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`);
  }
}
