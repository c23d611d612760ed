import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails rather than queues while Redis is away, as fail closed wants (see RedisAdmissionOptions.redis). */
const FAIL_FAST: RedisOptions = { enableOfflineQueue: false, commandTimeout: 2_000, maxRetriesPerRequest: 1 };

/** A key prefix of its own per test, and every connection it opened, so its keys are deleted and nothing leaks. */
export class RedisScope {
  readonly prefix = `unreel-test:${randomUUID()}:`;
  private readonly clients: Redis[] = [];

  connect(url = REDIS_URL, options: RedisOptions = FAIL_FAST): Redis {
    const client = new Redis(url, { lazyConnect: false, ...options });
    // Expected while a test takes Redis away; the admission reports it through onUnavailable.
    client.on('error', () => {});
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    const admin = new Redis(REDIS_URL);
    try {
      const keys = await admin.keys(`${this.prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    } finally {
      admin.disconnect();
      for (const client of this.clients) client.disconnect();
    }
  }
}

/** A TCP relay to Redis that a test can take down and bring back on the same port: Redis "unreachable" for real. */
export class RedisRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async start(): Promise<void> {
    const target = new URL(REDIS_URL);
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
