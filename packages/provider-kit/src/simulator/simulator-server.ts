import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedCall } from './simulator-types.js';

export interface SimulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  text(): string;
  /** Throws `SimulatorBodyError` on malformed JSON so the handler answers its provider's own 400. */
  json(): unknown;
  form(): URLSearchParams;
}

export interface SimulatorReply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

export interface SimulatorServerOptions {
  host?: string;
  port?: number;
  latencyMs?: readonly [number, number];
  random?: () => number;
  handle(request: SimulatorRequest): SimulatorReply | Promise<SimulatorReply>;
  idsOf?(request: SimulatorRequest): string[];
}

export interface SimulatorServer {
  url: string;
  port: number;
  calls(): readonly RecordedCall[];
  resetCalls(): void;
  close(): Promise<void>;
}

export class SimulatorBodyError extends Error {
  override name = 'SimulatorBodyError';
}

const MAX_BODY_BYTES = 1_048_576;

/**
 * The HTTP plumbing every provider simulator shares: body reading, latency, call recording and a clean close.
 * What the provider answers is entirely the handler's business.
 */
export async function startSimulatorServer(options: SimulatorServerOptions): Promise<SimulatorServer> {
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  const [minLatency, maxLatency] = options.latencyMs ?? [0, 0];
  let calls: RecordedCall[] = [];

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        send(outgoing, { status: 413, json: { message: 'Payload too large' } });
        incoming.destroy();
        return;
      }
      chunks.push(chunk);
    });
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://simulator.invalid');
      const rawBody = Buffer.concat(chunks);
      const request = toRequest(incoming.method ?? 'GET', url, incoming.headers, rawBody);
      const at = Date.now();
      void (async () => {
        if (maxLatency > 0) await sleep(minLatency + random() * (maxLatency - minLatency));
        let reply: SimulatorReply;
        try {
          reply = await options.handle(request);
        } catch (error) {
          reply = { status: 500, json: { message: 'simulator handler failed', detail: String(error) } };
        }
        let ids: string[] = [];
        try {
          ids = options.idsOf?.(request) ?? [];
        } catch {
          ids = [];
        }
        calls.push({
          method: request.method,
          path: request.path,
          query: queryRecord(url.searchParams),
          status: reply.status,
          ids,
          at,
        });
        send(outgoing, reply);
      })();
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    calls: () => calls,
    resetCalls: () => {
      calls = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function toRequest(method: string, url: URL, headers: IncomingHttpHeaders, rawBody: Buffer): SimulatorRequest {
  return {
    method: method.toUpperCase(),
    path: decodeURIComponent(url.pathname),
    query: url.searchParams,
    headers,
    rawBody,
    text: () => rawBody.toString('utf8'),
    json: () => {
      const text = rawBody.toString('utf8');
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new SimulatorBodyError('Request body is not valid JSON');
      }
    },
    form: () => new URLSearchParams(rawBody.toString('utf8')),
  };
}

function send(outgoing: ServerResponse, reply: SimulatorReply): void {
  if (outgoing.headersSent) return;
  const headers: Record<string, string> = { ...reply.headers };
  let body: string | undefined;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json';
  } else if (reply.text !== undefined) {
    body = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  }
  outgoing.writeHead(reply.status, headers);
  outgoing.end(body);
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return record;
}
