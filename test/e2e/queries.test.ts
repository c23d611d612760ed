import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountsDocument,
  DeleteVideosDocument,
  LimitsDocument,
  VideoDocument,
  VideosDocument,
  type VideosQuery,
} from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';
import { SANDBOX, startTestServer } from '../support/test-server.js';

let server: UnreelServer;

beforeAll(async () => {
  server = await startTestServer({ sandbox: { videoCount: 45 } });
});
afterAll(() => server.close());

describe('queries', () => {
  it('pages through videos with Relay cursors, resumable after any edge, without duplicates', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: VideosQuery = await data(server.url, VideosDocument, { account: SANDBOX, first: 10, after });
      pages += 1;
      seen.push(...page.videos.edges.map((edge) => edge.node.id));
      if (!page.videos.pageInfo.hasNextPage) break;
      after = page.videos.pageInfo.endCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    const first = await data(server.url, VideosDocument, { account: SANDBOX, first: 10 });
    const fromThird = await data(server.url, VideosDocument, {
      account: SANDBOX,
      first: 4,
      after: first.videos.edges[2]?.cursor ?? null,
    });
    expect(fromThird.videos.edges.map((edge) => edge.node.id)).toEqual(seen.slice(3, 7));
  });

  it('refuses to list an account it does not have, naming the argument', async () => {
    const refused = await post(server.url, VideosDocument, { account: 'nowhere', first: 5 });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'Unknown account "nowhere"',
      extensions: { code: 'BAD_USER_INPUT', field: 'account' },
    });
  });

  it('reads one video with its latest deletion, and null for what does not exist', async () => {
    const id = `${SANDBOX}:vid-000005`;
    const before = await data(server.url, VideoDocument, { id });
    expect(before.video).toMatchObject({
      id,
      account: SANDBOX,
      provider: 'sandbox',
      nativeId: 'vid-000005',
      deletion: null,
    });
    // The sandbox says when each video was created; the API passes it on as a DateTime.
    expect(new Date(before.video?.createdAt ?? '').toISOString()).toBe(before.video?.createdAt);
    await data(server.url, DeleteVideosDocument, { input: { ids: [id] } });
    const after = await data(server.url, VideoDocument, { id });
    expect(after.video?.deletion?.attempts).toBeGreaterThan(0);
    expect((await data(server.url, VideoDocument, { id: `${SANDBOX}:nothing-here` })).video).toBeNull();
    expect((await data(server.url, VideoDocument, { id: 'unconfigured:abc' })).video).toBeNull();
  });

  it('lists accounts with capabilities and no settings', async () => {
    const result = await data(server.url, AccountsDocument, {});
    expect(result.accounts).toEqual([
      {
        __typename: 'Account',
        name: SANDBOX,
        provider: 'sandbox',
        capabilities: {
          __typename: 'AccountCapabilities',
          maxBatchSize: 25,
          restore: true,
          restoreWindowDays: 30,
          requestsPerSecond: null,
          deleteDelay: false,
        },
      },
    ]);
  });

  it('tells clients its limits: ids per operation (server.maxIdsPerOperation) and the largest page', async () => {
    expect((await data(server.url, LimitsDocument, {})).limits).toEqual({
      __typename: 'Limits',
      maxIdsPerOperation: 10_000,
      maxPageSize: 500,
    });
    const capped = await startTestServer({ server: { maxIdsPerOperation: 250 } });
    try {
      expect((await data(capped.url, LimitsDocument, {})).limits.maxIdsPerOperation).toBe(250);
    } finally {
      await capped.close();
    }
  });

  it('serves health and readiness beside the API', async () => {
    const base = server.url.replace(/\/graphql$/, '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
