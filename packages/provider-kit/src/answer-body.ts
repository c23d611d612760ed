/**
 * Reads an answer's body through a reader of our own, so that the caller's signal and the attempt's deadline can
 * cancel it. The signal cannot be left to fetch: ky links it to fetch through an AbortSignal.any() that nothing holds
 * once ky has returned the response, and after a garbage collection the abort no longer reaches the read, which then
 * lasts as long as the provider keeps sending (a byte every 300 ms made one lookup take 61.9 s).
 *
 * Rejects with the signal's reason when it aborts, with a DOMException named TimeoutError at the deadline, and with
 * the transport's own error when the connection breaks.
 */
export async function readAnswerBody(response: Response, signal: AbortSignal, deadline: number): Promise<unknown> {
  const stream = response.body;
  if (response.status === 204 || response.status === 205 || stream === null) {
    await stream?.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = stream.getReader();
  let stopped: { reason: unknown } | undefined;
  const stop = (reason: unknown): void => {
    stopped ??= { reason };
    // A pending read then resolves as done; the cancel also closes the connection, so the provider stops sending.
    reader.cancel(reason).catch(() => undefined);
  };
  const onAbort = (): void => stop(signal.reason);
  const timer = setTimeout(
    () => stop(new DOMException('The answer body did not arrive in time', 'TimeoutError')),
    Math.max(0, deadline - performance.now()),
  );
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (stopped) throw stopped.reason;
      if (done) break;
      chunks.push(value);
    }
  } catch (error) {
    throw stopped ? stopped.reason : error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
  return parseBody(Buffer.concat(chunks).toString('utf8'), response.headers);
}

/** JSON when it is JSON (whatever the content type says), else the text; an empty body is undefined. */
function parseBody(text: string, headers: Headers): unknown {
  if (text === '') return undefined;
  const type = headers.get('content-type') ?? '';
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
