import { Option, type Command } from 'commander';
import type { UnreelConnectionOptions } from '@unreel/client';
import WebSocket from 'ws';
import { usageError } from './exit-codes.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';
const DEFAULT_RETRIES = 8;

/** What every client command takes to reach a server. */
export interface ConnectionFlags {
  url: string;
  apiKey?: string;
  retries: string;
  json?: boolean;
}

/** Adds the flags every command that talks to a server takes, so they read the same on each. */
export function withConnectionFlags(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the server GraphQL endpoint').env('UNREEL_URL').default(DEFAULT_URL))
    .addOption(
      new Option('--api-key <key>', 'API key, for a server with tenants (never printed)').env('UNREEL_API_KEY'),
    )
    .option(
      '--retries <n>',
      'failed attempts in a row before giving up on an unreachable server or a lost connection',
      String(DEFAULT_RETRIES),
    )
    .option('--json', 'one JSON object per line on stdout, for scripts (see the README for the shape)');
}

export interface Connection {
  url: string;
  options: UnreelConnectionOptions;
}

/** The flags as `@unreel/client` options; a bad one is a usage error naming the flag (never quoting the key). */
export function connectionFrom(flags: ConnectionFlags, signal?: AbortSignal): Connection {
  let parsed: URL;
  try {
    parsed = new URL(flags.url);
  } catch {
    throw usageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(flags.url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw usageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(flags.url)}`);
  const retries = Number(flags.retries);
  if (!Number.isInteger(retries) || retries < 1)
    throw usageError(`--retries must be a whole number >= 1, got ${JSON.stringify(flags.retries)}`);
  // An empty UNREEL_API_KEY is "no key", as a shell's `UNREEL_API_KEY= unreel ...` means.
  const authorization = flags.apiKey ? `Bearer ${flags.apiKey}` : undefined;
  return {
    url: parsed.href,
    options: {
      url: parsed.href,
      // Node 20 has no global WebSocket.
      webSocketImpl: WebSocket,
      ...(authorization ? { headers: { authorization }, connectionParams: { authorization } } : {}),
      retry: { maxAttempts: retries },
      ...(signal ? { signal } : {}),
    },
  };
}
