import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Resolves with the port bound (the one the OS chose, for 0), or rejects with the bind error (EADDRINUSE, ...). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Where clients reach /graphql over HTTP and WebSocket; an IPv6 host needs its brackets in a URL. */
export function graphqlUrls(host: string, port: number): { url: string; wsUrl: string } {
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}/graphql`, wsUrl: `ws://${shownHost}:${port}/graphql` };
}
