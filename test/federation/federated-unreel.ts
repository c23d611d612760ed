import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { getSandboxLibrary, type SandboxCall } from '@unreel/plugin-sandbox';

/** Looks up 20 ids per call, as ApsaraVideo's GetVideoInfos does. */
export const BATCHED = 'batched';
/** Looks up one id per call, as the other providers' APIs do. */
export const SINGLE = 'single';
export const BATCHED_LOOKUP_SIZE = 20;

/**
 * unreel as a subgraph: two sandbox accounts whose providers differ only in how many ids one lookup takes. `env`
 * as the process would see it (NODE_ENV=production turns introspection, and with it `_service`, off).
 */
export function startFederatedUnreel(env: NodeJS.ProcessEnv = process.env): Promise<UnreelServer> {
  const common = { seed: 7, latencyMs: [0, 2], processingRatio: 0.1, forbiddenRatio: 0 };
  return createUnreelServer({
    port: 0,
    logLevel: 'silent',
    env,
    config: {
      journal: { driver: 'memory' },
      server: { deleteWaitMs: 10_000 },
      accounts: [
        {
          name: BATCHED,
          plugin: '@unreel/plugin-sandbox',
          settings: { ...common, videoCount: 300, lookupBatchSize: BATCHED_LOOKUP_SIZE },
        },
        { name: SINGLE, plugin: '@unreel/plugin-sandbox', settings: { ...common, videoCount: 20, lookupBatchSize: 1 } },
      ],
    },
  });
}

/** The sandbox ids of an account's first `count` videos that are READY (deletable), as unreel video ids. */
export function readyVideoIds(account: string, count: number, skip = 0): string[] {
  const library = sandboxOf(account);
  return library.order
    .filter((id) => library.videos.get(id)?.state === 'READY' && !library.videos.get(id)?.deletedAt)
    .slice(skip, skip + count)
    .map((id) => `${account}:${id}`);
}

/** The provider lookups (`doGetVideos` calls) an account's sandbox received after `from` calls. */
export function lookupsSince(account: string, from: number): SandboxCall[] {
  return sandboxOf(account)
    .calls.slice(from)
    .filter((call) => call.method === 'get');
}

export function callCount(account: string): number {
  return sandboxOf(account).calls.length;
}

export function sandboxOf(account: string): NonNullable<ReturnType<typeof getSandboxLibrary>> {
  const library = getSandboxLibrary(account);
  if (!library) throw new Error(`no sandbox library for account ${account}`);
  return library;
}
