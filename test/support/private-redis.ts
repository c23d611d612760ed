import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/**
 * A `redis-server` of the test's own, for what must not be done to the machine's shared Redis (other tests use it):
 * `pause` freezes the whole server (SIGSTOP: connections stay open, nothing answers), `resume` thaws it.
 */
export interface PrivateRedis {
  url: string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

const REDIS_SERVER = process.env['UNREEL_TEST_REDIS_SERVER'] ?? '/usr/bin/redis-server';

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-redis-'));
  const port = await freePort();
  const server: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  for (const stream of [server.stdout, server.stderr]) stream?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGCONT');
      server.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `redis://127.0.0.1:${port}`;
  // Tried until it answers PING: the port opens only once the server is ready for commands.
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  try {
    await Promise.race([
      probe.ping(),
      new Promise((_, reject) => server.once('error', reject)),
      exited.then(() => Promise.reject(new Error(`redis-server exited before it answered: ${output}`))),
    ]);
  } catch (error) {
    await close();
    throw error;
  } finally {
    probe.disconnect();
  }
  return {
    url,
    pause: () => void server.kill('SIGSTOP'),
    resume: () => void server.kill('SIGCONT'),
    close,
  };
}
