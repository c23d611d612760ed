import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ElytronSimulator } from '@unreel/plugin-elytron/simulator';
import { SandboxLibrary, sandboxSettingsSchema } from '@unreel/plugin-sandbox';
import type { UnreelServer } from '@unreel/server';
import { launchChromium, type LaunchedChromium } from '../support/browser.js';
import { startRestartableServer, type RestartableServer } from '../support/restartable-server.js';
import { startTestServer } from '../support/test-server.js';

// The console as the server serves it (/console, built by `pnpm build`), driven in Debian's Chromium. Screenshots of
// each view (the window as a 1280x800 or 400 px wide user sees it) go to docs/ only with UNREEL_SCREENSHOTS=1, so a test run never rewrites them by accident.
const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const LONG = { timeout: 30_000 };

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UNREEL_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: path.join(docs, `console-${name}.png`) });
}

const numberOf = async (locator: Locator, attribute: string): Promise<number> =>
  Number(await locator.getAttribute(attribute));

/** Ticks "select every video on this page" on `pages` pages, one after another. */
async function selectPages(page: Page, pages: number): Promise<void> {
  for (let index = 1; index <= pages; index += 1) {
    await page.locator(`[data-testid="videos"][data-page="${index}"][data-loading="no"]`).waitFor();
    await page.getByTestId('select-page').check();
    if (index < pages) await page.getByTestId('next-page').click();
  }
}

async function confirmDelete(page: Page): Promise<string> {
  await page.getByTestId('delete').click();
  await page.getByTestId('confirm-delete').click();
  await page.locator('[data-testid="operation"]').waitFor();
  return (await page.getByTestId('operation-id').textContent()) ?? '';
}

const operationStatus = (page: Page) => page.getByTestId('operation').getAttribute('data-status');

/** The `tidy` sandbox account's settings: the same seed builds the same library here, which says what matches. */
const TIDY = {
  videoCount: 80,
  seed: 9,
  latencyMs: [5, 15],
  batchSize: 5,
  processingRatio: 0.1,
  forbiddenRatio: 0,
  failedRatio: 0.25,
};

describe('the console on a sandbox server (SQLite journal, restartable)', { timeout: 120_000 }, () => {
  let server: RestartableServer;
  let browser: LaunchedChromium;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let firstOperation = '';
  let cancelledOperation = '';

  beforeAll(async () => {
    server = await startRestartableServer({
      videoCount: 500,
      batchSize: 25,
      latencyMs: [10, 30],
      accounts: [
        // One video a call, ~140 ms each: a cancel, a reload and a restart all land while it runs.
        {
          name: 'slow',
          plugin: '@unreel/plugin-sandbox',
          settings: {
            videoCount: 100,
            seed: 3,
            latencyMs: [120, 160],
            batchSize: 1,
            processingRatio: 0,
            forbiddenRatio: 0,
            stateFile: '{dir}/slow-state.jsonl',
          },
          limits: { concurrency: 1 },
        },
        // Uploads that failed, among ready and processing ones: what "Delete all matching" with status FAILED takes.
        {
          name: 'tidy',
          plugin: '@unreel/plugin-sandbox',
          settings: TIDY,
        },
        // Some videos still processing: their deletion fails, retryably.
        {
          name: 'flaky',
          plugin: '@unreel/plugin-sandbox',
          settings: {
            videoCount: 40,
            seed: 5,
            latencyMs: [1, 5],
            processingRatio: 0.3,
            forbiddenRatio: 0,
            stateFile: '{dir}/flaky-state.jsonl',
          },
        },
      ],
    });
    origin = new URL(server.url).origin;
    browser = await launchChromium();
    context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the console with a strict CSP and shows each account with its capabilities', async () => {
    const response = await fetch(`${origin}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const etag = response.headers.get('etag') ?? '';
    expect(
      (await fetch(`${origin}/console/`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } })).status,
    ).toBe(304);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const missing = await fetch(`${origin}/console/assets/nothing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });

    await page.goto(`${origin}/console`);
    const sandbox = page.locator('[data-testid="accounts"] tr[data-account="sandbox"]');
    await expect.poll(() => sandbox.textContent(), LONG).toBe('sandboxsandbox25no limit30 daysno');
    expect(await page.locator('[data-testid="accounts"] tbody tr').count()).toBe(4);
  });

  it('selects 300 videos across pages, says what cannot be undone, deletes them: the bars reach 100%', async () => {
    await page.getByRole('link', { name: 'sandbox', exact: true }).click();
    await selectPages(page, 3);
    await expect.poll(() => numberOf(page.getByTestId('selection'), 'data-count'), LONG).toBe(300);
    await screenshot(page, 'videos');
    await page.getByTestId('delete').click();
    expect(await page.getByTestId('undo-notice').textContent()).toBe(
      'sandbox keeps deleted videos for 30 days: Undo restores them until then; after that it is permanent.',
    );
    await screenshot(page, 'confirm');
    await page.getByTestId('confirm-delete').click();
    firstOperation = (await page.getByTestId('operation-id').textContent()) ?? '';
    expect(firstOperation).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => operationStatus(page), LONG).toBe('SUCCEEDED');
    const overall = page.getByTestId('overall-bar');
    expect(await overall.getAttribute('data-percent')).toBe('100');
    expect(await numberOf(overall, 'data-total')).toBe(300);
    const bars = page.getByTestId('account-bar');
    expect(await bars.count()).toBe(1);
    expect(await bars.first().getAttribute('data-done')).toBe('300');
    expect(await page.getByTestId('result').textContent()).toContain('300 deleted, 0 not found, 0 failed');
    await screenshot(page, 'operation');
  });

  it('undoes that deletion: every item restored on the restorable provider', async () => {
    await expect.poll(() => page.getByTestId('undo').textContent(), LONG).toBe('Undo (300 restorable)');
    await page.getByTestId('undo').click();
    await expect
      .poll(() => page.getByTestId('connection').textContent(), { timeout: 60_000 })
      .toBe(' Undo: 300 / 300 restored or refused');
    const rows = page.locator('[data-testid="items"] tbody tr');
    expect(await rows.count()).toBe(200);
    expect(await rows.evaluateAll((all) => all.every((row) => row.getAttribute('data-status') === 'RESTORED'))).toBe(
      true,
    );
    expect(await page.getByTestId('undo').textContent()).toBe('Undo (0 restorable)');
    await expect.poll(() => page.getByTestId('result').textContent(), LONG).toContain('0 cancelled, 300 restored');
    expect(await page.getByTestId('error').textContent()).toBe('');
  });

  it('cancels a second operation half-way: what no call reached ends CANCELLED', async () => {
    await page.goto(`${origin}/console/#/accounts/slow`);
    await selectPages(page, 1);
    cancelledOperation = await confirmDelete(page);
    const overall = page.getByTestId('overall-bar');
    await expect.poll(() => numberOf(overall, 'data-done'), LONG).toBeGreaterThanOrEqual(3);
    // While events stream, nothing above the item list changes height: the list does not move.
    const before = await page.getByTestId('items').boundingBox();
    await expect.poll(() => numberOf(overall, 'data-done'), LONG).toBeGreaterThanOrEqual(5);
    expect(await page.getByTestId('items').boundingBox()).toEqual(before);
    await page.getByTestId('cancel').click();
    await expect.poll(() => operationStatus(page), LONG).toBe('CANCELLED');
    const statuses = await page
      .locator('[data-testid="items"] tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    const deleted = statuses.filter((status) => status === 'DELETED').length;
    const cancelled = statuses.filter((status) => status === 'CANCELLED').length;
    expect(deleted).toBeGreaterThanOrEqual(5);
    expect(cancelled).toBeGreaterThan(0);
    expect(deleted + cancelled).toBe(100);
    expect(await overall.getAttribute('data-percent')).toBe('100');
    expect(await page.getByTestId('result').textContent()).toContain(`${deleted} deleted`);
  });

  it('follows an operation across a page reload and a server restart, to the end', async () => {
    await page.goto(`${origin}/console/#/accounts/slow`);
    await page.locator('[data-testid="videos"][data-page="1"][data-loading="no"]').waitFor();
    await page.getByTestId('select-page').check();
    const selected = await numberOf(page.getByTestId('selection'), 'data-count');
    expect(selected).toBeGreaterThan(10);
    const operationId = await confirmDelete(page);
    const overall = page.getByTestId('overall-bar');
    await expect.poll(() => numberOf(overall, 'data-done'), LONG).toBeGreaterThanOrEqual(2);

    // The Accounts view lists it among the running operations, with its own bar.
    const accounts = await context.newPage();
    await accounts.goto(`${origin}/console/#/accounts`);
    const listed = accounts.locator(`[data-testid="running"] li[data-operation-id="${operationId}"]`);
    await listed.waitFor(LONG);
    expect(await numberOf(listed.getByTestId('running-bar'), 'data-total')).toBe(selected);
    await screenshot(accounts, 'accounts-running');
    await accounts.close();

    await page.reload();
    expect(await page.getByTestId('operation-id').textContent()).toBe(operationId);
    const afterReload = await numberOf(overall, 'data-done');
    await expect.poll(() => numberOf(overall, 'data-done'), LONG).toBeGreaterThan(afterReload + 1);

    await server.kill();
    const atKill = await numberOf(overall, 'data-done');
    expect(atKill).toBeLessThan(selected);
    await expect.poll(() => page.getByTestId('connection').textContent(), LONG).toMatch(/^Reconnecting/);
    await server.restart();
    await expect.poll(() => operationStatus(page), { timeout: 60_000 }).toBe('SUCCEEDED');
    expect(await numberOf(overall, 'data-done')).toBe(selected);
    expect(await overall.getAttribute('data-percent')).toBe('100');
    const statuses = await page
      .locator('[data-testid="items"] tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(statuses).toEqual(Array.from({ length: selected }, () => 'DELETED'));
    expect(await page.getByTestId('connection').textContent()).toBe('');
    expect(await page.getByTestId('error').textContent()).toBe('');
  });

  it('shows the history newest first, filters it by status, opens one, and retries its failed items', async () => {
    await page.goto(`${origin}/console/#/accounts/flaky`);
    await selectPages(page, 1);
    const flakyOperation = await confirmDelete(page);
    await expect.poll(() => operationStatus(page), LONG).toBe('PARTIALLY_FAILED');
    const failed = await page
      .locator('[data-testid="items"] tbody tr[data-status="FAILED"]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-video-id')));
    expect(failed.length).toBeGreaterThan(0);
    // The status filter of the videos view: the videos still processing are exactly those that failed.
    await page.goto(`${origin}/console/#/accounts/flaky`);
    await page.locator('[data-testid="videos"][data-loading="no"]').waitFor();
    await page.getByTestId('status-filter').selectOption('PROCESSING');
    const processing = await page
      .locator('[data-testid="videos"] tbody tr')
      .evaluateAll((all) => all.map((row) => row.getAttribute('data-video-id')));
    expect(processing.toSorted()).toEqual(failed.toSorted());

    await page.getByRole('link', { name: 'History' }).first().click();
    const rows = page.locator('[data-testid="history"] tbody tr');
    await expect.poll(() => rows.count(), LONG).toBe(4);
    const order = await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-operation-id')));
    expect(order[0]).toBe(flakyOperation);
    expect(order.at(-1)).toBe(firstOperation);
    await screenshot(page, 'history');

    await page.getByTestId('history-status').selectOption('CANCELLED');
    await expect
      .poll(() => rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-operation-id'))), LONG)
      .toEqual([cancelledOperation]);

    await page.getByTestId('history-status').selectOption('PARTIALLY_FAILED');
    await expect.poll(() => rows.count(), LONG).toBe(1);
    await page.getByRole('link', { name: flakyOperation }).click();
    await expect
      .poll(() => page.getByTestId('retry-failed').textContent(), LONG)
      .toBe(`Retry failed (${failed.length})`);
    await page.getByTestId('retry-failed').click();
    await expect.poll(() => page.getByTestId('operation-id').textContent(), LONG).not.toBe(flakyOperation);
    await expect.poll(() => operationStatus(page), LONG).not.toBe('RUNNING');
    const retried = await page
      .locator('[data-testid="items"] tbody tr')
      .evaluateAll((all) => all.map((row) => row.getAttribute('data-video-id')));
    expect(retried.toSorted()).toEqual(failed.toSorted());
  });

  it('deletes all matching videos of an account: previews the count and a sample, then deletes exactly that many', async () => {
    const failedUploads = [...new SandboxLibrary(sandboxSettingsSchema.parse(TIDY)).videos.values()].filter(
      (video) => video.state === 'FAILED',
    ).length;
    expect(failedUploads).toBeGreaterThan(5);
    await page.goto(`${origin}/console/#/accounts/tidy`);
    await page.locator('[data-testid="videos"][data-loading="no"]').waitFor();
    await page.getByTestId('delete-matching').click();
    // Nothing to confirm before a count.
    expect(await page.getByTestId('selection-confirm').isDisabled()).toBe(true);
    await page.getByTestId('selection-status').selectOption('FAILED');
    await page.getByTestId('selection-after').fill('2025-01-01');
    await page.getByTestId('selection-preview').click();
    const result = page.getByTestId('selection-result');
    await result.waitFor(LONG);
    expect(await numberOf(result, 'data-count')).toBe(failedUploads);
    expect(await result.getAttribute('data-complete')).toBe('true');
    expect(await page.getByTestId('selection-count').textContent()).toBe(`${failedUploads} videos match.`);
    const sample = page.locator('[data-testid="selection-sample"] li');
    expect(await sample.count()).toBe(5);
    expect(await sample.allTextContents()).toEqual(Array.from({ length: 5 }, () => expect.stringContaining('FAILED')));
    expect(await page.getByTestId('selection-undo-notice').textContent()).toBe(
      'sandbox keeps deleted videos for 30 days: Undo restores them until then; after that it is permanent.',
    );
    expect(await page.getByTestId('selection-max-items').inputValue()).toBe(String(failedUploads));
    await screenshot(page, 'selection');
    // Changing a filter asks for a new count before anything can be deleted.
    await page.getByTestId('selection-before').fill('2025-01-02');
    expect(await page.getByTestId('selection-confirm').isDisabled()).toBe(true);
    await page.getByTestId('selection-preview').click();
    await result.waitFor(LONG);
    expect(await numberOf(result, 'data-count')).toBe(failedUploads);

    await page.getByTestId('selection-confirm').click();
    await page.locator('[data-testid="operation"]').waitFor();
    await expect.poll(() => operationStatus(page), LONG).toBe('SUCCEEDED');
    const overall = page.getByTestId('overall-bar');
    expect(await numberOf(overall, 'data-total')).toBe(failedUploads);
    expect(await overall.getAttribute('data-discovering')).toBe('no');
    // The maximum defaulted to the count, and reaching it ends discovery CAPPED: the page says more may match (the
    // count below shows none did).
    expect(await page.getByTestId('discovery').getAttribute('data-discovery')).toBe('CAPPED');
    expect(await page.getByTestId('discovery').textContent()).toBe(
      ' Stopped at the maximum number of videos: more may match.',
    );
    expect(await page.getByTestId('result').textContent()).toContain(`${failedUploads} deleted, 0 not found, 0 failed`);
    const statuses = await page
      .locator('[data-testid="items"] tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(statuses).toEqual(Array.from({ length: failedUploads }, () => 'DELETED'));

    // What is left matches nothing.
    await page.goto(`${origin}/console/#/accounts/tidy`);
    await page.getByTestId('delete-matching').click();
    await page.getByTestId('selection-status').selectOption('FAILED');
    await page.getByTestId('selection-preview').click();
    await expect.poll(() => numberOf(page.getByTestId('selection-result'), 'data-count'), LONG).toBe(0);
  });

  it('reads at 400 px wide: nothing wider than the window but the tables, which scroll', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 400, height: 800 });
    await narrow.goto(`${origin}/console/#/operations/${encodeURIComponent(firstOperation)}`);
    await expect.poll(() => operationStatus(narrow), LONG).toBe('SUCCEEDED');
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await screenshot(narrow, 'narrow');
    // Keyboard: the first Tab lands on the navigation, a real link with its focus ring drawn.
    await narrow.keyboard.press('Tab');
    const focused = await narrow.evaluate(() => {
      const active = document.activeElement as Element;
      return [active.tagName, active.textContent, getComputedStyle(active).outlineStyle];
    });
    expect(focused).toEqual(['A', 'Accounts', 'solid']);
    await narrow.close();
  });
});

describe('the console on a server with tenants and a rate-limited Elytron account', { timeout: 120_000 }, () => {
  const ACME_KEY = 'acme-console-key-0123456789';
  const BETA_KEY = 'beta-console-key-0123456789';
  let simulator: ElytronSimulator;
  let server: UnreelServer;
  let browser: LaunchedChromium;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    // Five calls a second, one video a call: the account's rate is what paces the deletion.
    simulator = await startSimulator({ videoCount: 12, plan: 'enterprise', rateLimit: { limit: 5, windowMs: 1_000 } });
    server = await startTestServer({
      accounts: [
        {
          name: 'acme-sandbox',
          plugin: '@unreel/plugin-sandbox',
          settings: { videoCount: 30, latencyMs: [0, 3], processingRatio: 0, forbiddenRatio: 0 },
        },
        {
          name: 'acme-elytron',
          plugin: '@unreel/plugin-elytron',
          settings: { apiKey: simulator.credentials.apiKey, baseUrl: simulator.url, plan: 'enterprise' },
          limits: { requestsPerSecond: 5 },
        },
        { name: 'beta-sandbox', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 30, latencyMs: [0, 3] } },
      ],
      tenants: [
        { name: 'acme', apiKeys: [ACME_KEY], accounts: ['acme-sandbox', 'acme-elytron'] },
        { name: 'beta', apiKeys: [BETA_KEY], accounts: ['beta-sandbox'] },
      ],
      server: { metrics: { enabled: false }, maxIdsPerOperation: 20 },
    });
    origin = new URL(server.url).origin;
    browser = await launchChromium();
    page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await simulator?.close();
  });

  it('asks for a key, says when one is refused, and shows a tenant only its own accounts', async () => {
    await page.goto(`${origin}/console`);
    await expect
      .poll(() => page.getByTestId('error').textContent(), LONG)
      .toBe('This server needs an API key (UNAUTHENTICATED): enter one above.');
    await page.getByTestId('api-key').fill('not-a-key');
    await page.getByTestId('save-api-key').click();
    await expect
      .poll(() => page.getByTestId('error').textContent(), LONG)
      .toBe('The server refused this API key (UNAUTHENTICATED). Check the key and save it again.');
    await page.getByTestId('api-key').fill(ACME_KEY);
    await page.getByTestId('save-api-key').click();
    const accounts = page.locator('[data-testid="accounts"] tbody tr');
    await expect
      .poll(() => accounts.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-account'))), LONG)
      .toEqual(['acme-sandbox', 'acme-elytron']);
    expect(await page.getByTestId('error').textContent()).toBe('');
    // sessionStorage only: nothing in localStorage or cookies.
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([
      1,
      0,
      '',
    ]);
    await screenshot(page, 'tenants');
  });

  it('deletes on the rate-limited account with the key, over HTTP and the WebSocket, to 100%', async () => {
    await page.getByRole('link', { name: 'acme-elytron' }).click();
    await selectPages(page, 1);
    await expect.poll(() => numberOf(page.getByTestId('selection'), 'data-count'), LONG).toBe(12);
    await page.getByTestId('delete').click();
    expect(await page.getByTestId('undo-notice').textContent()).toMatch(/^elytron /);
    await page.getByTestId('confirm-delete').click();
    await expect.poll(() => operationStatus(page), LONG).not.toBe('RUNNING');
    expect(await page.getByTestId('overall-bar').getAttribute('data-percent')).toBe('100');
    // The simulator throttles above five calls a second; the account's rate keeps every call under it, so no item
    // fails for it. Videos the simulator seeded as processing or forbidden fail as the provider says.
    const outcomes = await page
      .locator('[data-testid="items"] tbody tr')
      .evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-status')} ${row.children[2]?.textContent}`));
    expect(outcomes).toHaveLength(12);
    expect(outcomes.filter((outcome) => !/^(DELETED |FAILED (IN_PROCESSING|FORBIDDEN))$/.test(outcome))).toEqual([]);
    expect(outcomes).toContain('DELETED ');

    // From the keyboard only: select all (capped at the server's maxIdsPerOperation), delete, confirm in the dialog.
    await page.getByRole('link', { name: 'Accounts' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'acme-sandbox' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="videos"][data-loading="no"]').waitFor();
    await page.getByTestId('select-all').focus();
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await expect.poll(() => numberOf(page.getByTestId('selection'), 'data-count'), LONG).toBe(20);
    expect(await page.getByTestId('selection').textContent()).toBe(
      '20 selected (the server takes at most 20 per operation)',
    );
    await page.getByTestId('delete').focus();
    await page.keyboard.press('Enter');
    // The dialog takes the focus on its first button, "Keep them": the safe choice is the default.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep them');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => operationStatus(page), LONG).toBe('SUCCEEDED');
    expect(await numberOf(page.getByTestId('overall-bar'), 'data-total')).toBe(20);

    // Another tenant's key sees none of it.
    await page.getByTestId('api-key').fill(BETA_KEY);
    await page.getByTestId('save-api-key').click();
    await page.getByRole('link', { name: 'History' }).first().click();
    await page.locator('[data-testid="history"][data-loading="no"]').waitFor();
    expect(await page.locator('[data-testid="history"] tbody tr').count()).toBe(0);
    expect(await page.getByText('No operations.').count()).toBe(1);
    // And acme's key, typed again, sees its two.
    await page.getByTestId('api-key').fill(ACME_KEY);
    await page.getByTestId('save-api-key').click();
    await expect.poll(() => page.locator('[data-testid="history"] tbody tr').count(), LONG).toBe(2);
  });
});
