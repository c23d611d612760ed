import { Redis } from 'ioredis';

export interface ClusterRedisOptions {
  /** `redis://[:password@]host:port[/db]`; the password is never repeated in errors. */
  url: string;
  /** How long the first connection may take before the start fails (default 5 s). */
  connectTimeoutMs?: number;
  /** CLIENT SETNAME: which replica and which use a connection serves, in CLIENT LIST. */
  connectionName?: string;
}

/** A Redis URL as logs and errors may show it: `redis://host:port/db`, without user or password. */
export function describeRedis(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis://(an invalid URL)';
  }
}

/** The password a Redis URL carries, decoded, to be hidden from logs; undefined when it has none. */
export function redisPassword(url: string): string | undefined {
  try {
    const { password } = new URL(url);
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/**
 * The cluster's Redis connection, connected and answering PING before it is returned (an unreachable Redis fails the
 * start here). Commands fail rather than queue while Redis is away (`enableOfflineQueue: false`), so whatever uses it
 * fails closed; ioredis reconnects by itself, and `status` says whether it is connected now (for /readyz).
 */
export async function connectClusterRedis(options: ClusterRedisOptions): Promise<Redis> {
  const redis = new Redis(options.url, {
    lazyConnect: true,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    enableOfflineQueue: false,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // The first connection is tried once: a start that cannot reach Redis stops with one line instead of waiting.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  // Unheard, a connection error would end the process; status and each command say what is wrong.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Redis ${describeRedis(options.url)} cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return redis;
}
