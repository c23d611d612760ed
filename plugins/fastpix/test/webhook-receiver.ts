import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  /** Lower-case header names, single values, as a host hands them to `doParseWebhook`. */
  headers: Record<string, string | undefined>;
  rawBody: Uint8Array;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  close(): Promise<void>;
}

/**
 * A real HTTP endpoint for the simulator's deliveries: it keeps each one and answers with what `answer` returns,
 * the way unreel's webhook route answers with the outcome of `doParseWebhook`.
 */
export async function startWebhookReceiver(
  answer: (delivery: ReceivedDelivery) => Promise<number> | number = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const delivery = { headers, rawBody: new Uint8Array(Buffer.concat(chunks)) };
      received.push(delivery);
      void (async () => {
        let status: number;
        try {
          status = await answer(delivery);
        } catch {
          status = 500;
        }
        response.writeHead(status).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/fastpix`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
