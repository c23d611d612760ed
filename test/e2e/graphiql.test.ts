import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { DeleteVideosDocument } from '@unreel/client';
import type { UnreelServer } from '@unreel/server';
import { launchChromium, type LaunchedChromium } from '../support/browser.js';
import { data } from '../support/graphql-http.js';
import { SANDBOX, listVideoIds, startTestServer } from '../support/test-server.js';

// A browser's own Accept header for a page it navigates to.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let chromium: LaunchedChromium;
let server: UnreelServer;
let closed: UnreelServer;

beforeAll(async () => {
  [chromium, server, closed] = await Promise.all([
    launchChromium(),
    startTestServer({ sandbox: { videoCount: 20, processingRatio: 0, forbiddenRatio: 0 } }),
    startTestServer({ sandbox: { videoCount: 20 }, server: { introspection: false } }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([chromium?.close(), server?.close(), closed?.close()]);
});

interface OpenedGraphiql {
  context: BrowserContext;
  page: Page;
  /** Every request the page made anywhere but the server (refused): it must stay empty. */
  elsewhere: string[];
}

/** GraphiQL at the server's /graphql with `query` in its editor, in a fresh context, with the network cut off. */
async function openGraphiql(query: string): Promise<OpenedGraphiql> {
  const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(server.url).origin;
  const elsewhere: string[] = [];
  // As offline as a browser gets: whatever the page asks of anything but the server fails, and is noted.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    elsewhere.push(url);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const answer = await page.goto(`${server.url}?query=${encodeURIComponent(query)}`);
  expect(answer?.status()).toBe(200);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
  return { context, page, elsewhere };
}

/** What GraphiQL's result pane shows, as text (the editor draws spaces as no-break spaces). */
async function resultPane(page: Page): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replaceAll('\u00a0', ' ');
}

describe('GraphiQL at GET /graphql', () => {
  it('runs a query from the page over HTTP, loading nothing from anywhere but the server', async () => {
    const { context, page, elsewhere } = await openGraphiql('{ accounts { name provider } }');
    try {
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => resultPane(page), { timeout: 30_000 }).toContain('"provider": "sandbox"');
      expect(JSON.parse(await resultPane(page))).toEqual({
        data: { accounts: [{ name: SANDBOX, provider: 'sandbox' }] },
      });
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('follows a deletion through deletionProgress over the WebSocket at the same URL', async () => {
    const ids = await listVideoIds(server.url, SANDBOX, 5);
    const started = await data(server.url, DeleteVideosDocument, { input: { ids, wait: false } });
    const operationId = started.deleteVideos.id;
    const { context, page, elsewhere } = await openGraphiql(
      `subscription { deletionProgress(operationId: "${operationId}") { sequence completed total status } }`,
    );
    try {
      const sockets: string[] = [];
      const events: number[] = [];
      page.on('websocket', (socket) => {
        sockets.push(socket.url());
        socket.on('framereceived', ({ payload }) => {
          const message = JSON.parse(payload.toString()) as {
            type: string;
            payload?: { data?: { deletionProgress?: { sequence: number } } };
          };
          const sequence = message.payload?.data?.deletionProgress?.sequence;
          if (message.type === 'next' && sequence !== undefined) events.push(sequence);
        });
      });
      await page.locator('.graphiql-execute-button').click();
      // Every event, each once and in order, replayed and then live; the pane shows the last one.
      await expect.poll(() => events, { timeout: 30_000 }).toEqual([1, 2, 3, 4, 5]);
      await expect.poll(() => resultPane(page), { timeout: 30_000 }).toContain('"completed": 5');
      expect(JSON.parse(await resultPane(page))).toMatchObject({
        data: { deletionProgress: { sequence: 5, completed: 5, total: 5, status: 'SUCCEEDED' } },
      });
      expect(sockets).toEqual([server.wsUrl]);
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('is served once per version: gzipped, then 304 while unchanged, with a policy that allows nothing remote', async () => {
    const first = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(first.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await first.text()).toContain('<title>unreel GraphiQL</title>');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    // As Chromium revalidates: fetch() would otherwise add `cache-control: no-cache`, a request for a full answer.
    const again = await fetch(server.url, {
      headers: { accept: BROWSER_ACCEPT, 'if-none-match': etag ?? '', 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });

  it('leaves GraphQL over GET to Apollo: a client that asks for JSON gets JSON, not the page', async () => {
    const answer = await fetch(`${server.url}?query=${encodeURIComponent('{ accounts { name } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { accounts: [{ name: SANDBOX }] } });
  });

  it('is off when introspection is off: a browser gets 406 saying why, and no page', async () => {
    const context = await chromium.browser.newContext();
    try {
      const page = await context.newPage();
      const answer = await page.goto(closed.url);
      expect(answer?.status()).toBe(406);
      expect(answer?.headers()['content-type']).toMatch(/^application\/json/);
      expect(await answer?.json()).toEqual({
        errors: [
          {
            message: expect.stringContaining('GraphiQL is served only with introspection on (server.introspection)'),
            extensions: { code: 'NOT_ACCEPTABLE' },
          },
        ],
      });
      expect(await page.locator('.graphiql-container').count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
