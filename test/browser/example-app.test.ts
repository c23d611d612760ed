import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { startRestartableServer, type RestartableServer } from '../support/restartable-server.js';

// examples/browser, built with its own Vite config, served from loopback ports other than the server's and driven in
// Debian's Chromium: once calling the server directly (cross-origin), once through the Vite proxy (HTTP and
// WebSocket), with the server SIGKILLed and restarted mid-delete and the page reloaded.
const exampleRoot = fileURLToPath(new URL('../../examples/browser/', import.meta.url));
const outDir = mkdtempSync(path.join(tmpdir(), 'unreel-example-'));
let server: RestartableServer;
let direct: PreviewServer;
let proxied: PreviewServer;
let directPage: string;
let proxiedPage: string;
let browser: LaunchedChromium;
let context: BrowserContext;

beforeAll(async () => {
  const [directPort, proxiedPort] = [await freePort(), await freePort()];
  const directOrigin = `http://localhost:${directPort}`;
  const proxiedOrigin = `http://127.0.0.1:${proxiedPort}`;
  // Slow enough (one video per call, ~140 ms each) that the kill lands mid-operation, whatever the machine's load.
  // No allowedOrigins: without tenants, pages on loopback origins are allowed out of the box.
  server = await startRestartableServer({ latencyMs: [120, 160] });
  await build({ root: exampleRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  // Without a proxy: the page calls the server itself (`?api=`), cross-origin.
  direct = await preview({
    root: exampleRoot,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: 'localhost', port: directPort, strictPort: true },
  });
  // With the example's own vite.config.ts: /graphql proxied to the server, `ws: true`, `changeOrigin: true`.
  process.env.UNREEL_URL = new URL(server.url).origin;
  proxied = await preview({
    root: exampleRoot,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: proxiedPort, strictPort: true },
  });
  directPage = `${directOrigin}/?api=${encodeURIComponent(server.url)}`;
  proxiedPage = `${proxiedOrigin}/`;
  browser = await launchChromium();
  context = await browser.browser.newContext();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([direct?.close(), proxied?.close()]);
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('body[data-ready="yes"]').waitFor();
  return page;
}

/** Ticks the first `count` videos not deleted yet and returns their ids. */
async function select(page: Page, count: number): Promise<string[]> {
  const boxes = page.locator('[data-testid="videos"] input[type=checkbox]:not([disabled])');
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const box = boxes.nth(index);
    ids.push(await box.inputValue());
    await box.check();
  }
  return ids;
}

async function shownEvents(page: Page): Promise<{ sequence: number; videoId: string; status: string }[]> {
  return page.locator('[data-testid="events"] li').evaluateAll((items) =>
    items.map((item) => ({
      sequence: Number((item as HTMLElement).dataset.sequence),
      videoId: (item as HTMLElement).dataset.videoId ?? '',
      status: (item as HTMLElement).dataset.status ?? '',
    })),
  );
}

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, index) => index + 1);

describe('examples/browser in Chromium', () => {
  it('without a proxy (cross-origin): lists, deletes with live progress, and restores', async () => {
    const page = await open(directPage);
    const ids = await select(page, 4);
    await page.getByTestId('delete').click();
    await expect
      .poll(() => page.getByTestId('result').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('SUCCEEDED');
    const events = await shownEvents(page);
    expect(events.map((event) => event.sequence)).toEqual(oneTo(4));
    expect(new Set(events.map((event) => event.videoId))).toEqual(new Set(ids));
    expect(await page.getByTestId('result').textContent()).toBe(
      'SUCCEEDED: 4 deleted, 0 not found, 0 failed, 4 in all',
    );
    expect(await page.getByTestId('progress-text').textContent()).toBe('4 / 4');
    await page.getByTestId('restore').first().click();
    await expect.poll(() => page.locator('[data-testid="events"] li[data-restored="yes"]').count()).toBe(1);
    expect(await page.getByTestId('error').textContent()).toBe('');
    await page.close();
  });

  it('cancels a running delete: what no call reached ends CANCELLED, every item shown once, in order', async () => {
    const page = await open(directPage);
    const ids = await select(page, 20);
    await page.getByTestId('delete').click();
    await expect.poll(async () => (await shownEvents(page)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await page.getByTestId('cancel').click();
    await expect
      .poll(() => page.getByTestId('result').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('CANCELLED');
    const events = await shownEvents(page);
    expect(events.map((event) => event.sequence)).toEqual(oneTo(20));
    expect(new Set(events.map((event) => event.videoId))).toEqual(new Set(ids));
    const cancelled = events.filter((event) => event.status === 'CANCELLED').length;
    const deleted = events.filter((event) => event.status === 'DELETED').length;
    expect(cancelled).toBeGreaterThan(0);
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(deleted + cancelled).toBe(20);
    expect(await page.getByTestId('result').textContent()).toBe(
      `CANCELLED: ${deleted} deleted, 0 not found, 0 failed, ${cancelled} cancelled, 20 in all`,
    );
    expect(await page.getByTestId('error').textContent()).toBe('');
    await page.close();
  });

  it('through the Vite proxy: a SIGKILL and restart mid-delete, then a reload, show every item once, in order', async () => {
    const page = await open(proxiedPage);
    const ids = await select(page, 12);
    await page.getByTestId('delete').click();
    await expect.poll(async () => (await shownEvents(page)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await server.kill();
    const atKill = (await shownEvents(page)).length;
    expect(atKill).toBeLessThan(12);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 20_000 }).toMatch(/reconnecting/);
    await server.restart();
    await expect.poll(async () => (await shownEvents(page)).length, { timeout: 30_000 }).toBeGreaterThan(atKill);
    // A reload mid-way: the page keeps what it showed (sessionStorage) and asks only for what follows (`after`).
    await page.reload();
    await expect
      .poll(() => page.getByTestId('result').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('SUCCEEDED');
    const events = await shownEvents(page);
    expect(events.map((event) => event.sequence)).toEqual(oneTo(12));
    expect(new Set(events.map((event) => event.videoId))).toEqual(new Set(ids));
    expect(events.every((event) => event.status === 'DELETED')).toBe(true);
    expect(await page.getByTestId('result').textContent()).toBe(
      'SUCCEEDED: 12 deleted, 0 not found, 0 failed, 12 in all',
    );
    expect(await page.getByTestId('progress-text').textContent()).toBe('12 / 12');
    expect(await page.getByTestId('error').textContent()).toBe('');
    expect(new URL(page.url()).searchParams.get('op')).toMatch(/^[0-9a-f-]{36}$/);
    await page.screenshot({
      path: process.env.UNREEL_SCREENSHOT ?? path.join(outDir, 'browser-example.png'),
      fullPage: true,
    });
    await page.close();
  });
});
