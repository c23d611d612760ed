import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { startSimulator, type AliyunVodSimulator } from '@unreel/plugin-aliyun-vod/simulator';
import { post } from '../support/graphql-http.js';

const ACCOUNTS = '{ accounts { name capabilities { requestsPerSecond configuredRequestsPerSecond } } }';
const DELETE = 'mutation ($ids: [ID!]!) { deleteVideos(input: { ids: $ids }) { status deleted total } }';

interface AccountsData {
  accounts: {
    name: string;
    capabilities: { requestsPerSecond: number | null; configuredRequestsPerSecond: number | null };
  }[];
}

let simulator: AliyunVodSimulator | undefined;
let servers: UnreelServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  await simulator?.close();
  simulator = undefined;
});

function start(vod: AliyunVodSimulator, journal: string): Promise<UnreelServer> {
  return createUnreelServer({
    port: 0,
    logLevel: 'silent',
    config: {
      journal: { driver: 'sqlite', path: journal },
      accounts: [
        {
          name: 'vod',
          plugin: '@unreel/plugin-aliyun-vod',
          // The documented 30 QPS; the account's real quota is 5 (its RAM users share the rest).
          settings: { ...vod.credentials, endpoint: vod.url, requestsPerSecond: 30 },
        },
      ],
    },
  }).then((server) => {
    servers.push(server);
    return server;
  });
}

async function metric(server: UnreelServer, name: string, labels: string): Promise<number | undefined> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('learned rate through the server', () => {
  it('shows the learned rate in accounts and metrics, and keeps it across a restart', { timeout: 60_000 }, async () => {
    simulator = await startSimulator({ videoCount: 0, rateLimit: { limit: 5, windowMs: 1_000, rolling: true } });
    const journal = path.join(mkdtempSync(path.join(tmpdir(), 'unreel-learned-rate-')), 'journal.db');
    const first = await start(simulator, journal);
    const before = await post<AccountsData, Record<string, never>>(first.url, ACCOUNTS);
    expect(before.data?.accounts).toEqual([
      { name: 'vod', capabilities: { requestsPerSecond: 30, configuredRequestsPerSecond: 30 } },
    ]);

    const nativeIds = await simulator.seed(Array.from({ length: 400 }, () => ({ state: 'READY' as const })));
    const deleted = await post(first.url, DELETE, { ids: nativeIds.map((id) => `vod:${id}`) });
    expect(deleted.data).toEqual({ deleteVideos: { status: 'SUCCEEDED', deleted: 400, total: 400 } });

    const learned = (await post<AccountsData, Record<string, never>>(first.url, ACCOUNTS)).data?.accounts[0];
    const rate = learned?.capabilities.requestsPerSecond;
    expect(rate).toBeGreaterThanOrEqual(3);
    expect(rate).toBeLessThanOrEqual(6);
    expect(learned?.capabilities.configuredRequestsPerSecond).toBe(30);
    const labels = 'account="vod",provider="aliyun-vod"';
    expect(await metric(first, 'unreel_account_requests_per_second', `${labels},limit="effective"`)).toBe(rate);
    expect(await metric(first, 'unreel_account_requests_per_second', `${labels},limit="configured"`)).toBe(30);
    expect(await metric(first, 'unreel_account_rate_changes_total', `${labels},reason="throttled"`)).toBeGreaterThan(0);
    await first.close();

    // The next start keeps to what was learned instead of learning it again from throttles.
    const second = await start(simulator, journal);
    const restored = (await post<AccountsData, Record<string, never>>(second.url, ACCOUNTS)).data?.accounts[0];
    expect(restored?.capabilities).toEqual({ requestsPerSecond: rate, configuredRequestsPerSecond: 30 });
  });
});
