import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does); playwright never downloads a browser here. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface LaunchedChromium {
  browser: Browser;
  /** Closes the browser (playwright then removes its profile directory). */
  close(): Promise<void>;
}

/**
 * Headless Chromium with none of the background traffic a browser makes by itself (updates, safe browsing, first-run
 * pages), so that everything it fetches is what the page under test asked for. Each launch gets a fresh profile:
 * playwright passes Chromium a `--user-data-dir` of its own making and removes it on close (it refuses one in `args`).
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  return { browser, close: () => browser.close() };
}
