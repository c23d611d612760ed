import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from './child-server.js';
import { freePort } from './free-port.js';

export interface RestartableServer {
  /** The GraphQL URL; the same across restarts (one fixed port). */
  url: string;
  port: number;
  /** The process now serving (after `restart`, the new one). */
  current(): ChildServer;
  /** SIGKILL, as a crash: nothing is flushed or closed. */
  kill(): Promise<void>;
  /** A new process on the same port, config and journal. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real `unreel` command on a SQLite journal and a sandbox that is slow on purpose (one id per call, one call at a
 * time, `latencyMs` each), so that a test can kill it while an operation is running, and start it again where it left
 * off. The sandbox keeps its state in a file, as a real provider keeps its own across our restarts.
 */
export async function startRestartableServer(
  options: {
    latencyMs?: [number, number];
    server?: Record<string, unknown>;
    videoCount?: number;
    /** Ids per sandbox call (default 1: one video a call). */
    batchSize?: number;
    /** More accounts after the sandbox, as config entries; `{dir}` in a string setting is this server's folder. */
    accounts?: Record<string, unknown>[];
    /** Instead of the slow sandbox and `accounts` (a simulator's account, say). */
    replaceAccounts?: readonly Record<string, unknown>[];
    /** `tenants` go into the config, `env` into the process. */
    tenants?: readonly Record<string, unknown>[];
    env?: Record<string, string>;
  } = {},
): Promise<RestartableServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-restartable-'));
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'unreel.config.json'),
    JSON.stringify({
      server: { metrics: { enabled: false }, ...options.server },
      journal: { driver: 'sqlite', path: 'journal.db' },
      ...(options.tenants ? { tenants: options.tenants } : {}),
      accounts: options.replaceAccounts ?? [
        {
          name: 'sandbox',
          plugin: '@unreel/plugin-sandbox',
          settings: {
            videoCount: options.videoCount ?? 100,
            latencyMs: options.latencyMs ?? [60, 90],
            batchSize: options.batchSize ?? 1,
            processingRatio: 0,
            forbiddenRatio: 0,
            stateFile: path.join(dir, 'sandbox-state.jsonl'),
          },
          limits: { concurrency: 1 },
        },
        ...(JSON.parse(JSON.stringify(options.accounts ?? []).replaceAll('{dir}', dir)) as Record<string, unknown>[]),
      ],
    }),
  );
  const env = { ...options.env, UNREEL_CONFIG: path.join(dir, 'unreel.config.json'), PORT: String(port) };
  let child = startChildServer(env, dir);
  const { url } = await child.listening;
  return {
    url,
    port,
    current: () => child,
    async kill() {
      child.child.kill('SIGKILL');
      await child.exited;
    },
    async restart() {
      child = startChildServer(env, dir);
      await child.listening;
    },
    async close() {
      if (child.child.exitCode === null && child.child.signalCode === null) {
        child.child.kill('SIGTERM');
        await child.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
