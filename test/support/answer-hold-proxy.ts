import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnswerHoldProxy {
  /** Stands in for the target's URL, path included. */
  url: string;
  /** Resolves once the target has answered a held request in full: it has acted, and the client does not know yet. */
  held(): Promise<void>;
  /** Sends every answer held so far, and holds none from now on. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A plain-HTTP proxy that passes every request to `target` and holds back the answers to those `holds` picks until the
 * test releases them: a provider that acted while its answer is still on the way, for as long as the test needs and
 * no longer, with no timer involved.
 */
export async function startAnswerHoldProxy(
  target: string,
  holds: (method: string, path: string) => boolean,
): Promise<AnswerHoldProxy> {
  const targetUrl = new URL(target);
  let released = false;
  const waiting: (() => void)[] = [];
  let onHeld: () => void = () => {};
  const firstHeld = new Promise<void>((resolve) => (onHeld = resolve));

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const upstream = request(
      new URL(path, targetUrl.origin),
      { method, headers: { ...incoming.headers, host: targetUrl.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const send = (): void => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(Buffer.concat(chunks));
          };
          if (released || !holds(method, path)) return send();
          waiting.push(send);
          onHeld();
        });
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  };

  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${targetUrl.pathname.replace(/\/$/, '')}`,
    held: () => firstHeld,
    release() {
      released = true;
      for (const send of waiting.splice(0)) send();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
