import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SelectVideosDocument } from '@unreel/client';
import { getSandboxLibrary, type SandboxLibrary } from '@unreel/plugin-sandbox';
import type { UnreelServer } from '@unreel/server';
import { print } from 'graphql';
import { data } from '../support/graphql-http.js';
import { startTestServer } from '../support/test-server.js';

// selectVideos lists an account page by page, possibly for many calls: a client that hangs up stops it, rather than
// leaving the server listing (and spending the account's rate) for nobody.

const POLL = { timeout: 30_000, interval: 20 };

let server: UnreelServer;
let library: SandboxLibrary;
const lines: string[] = [];

const listCalls = (): number => library.calls.filter((call) => call.method === 'list').length;

beforeAll(async () => {
  server = await startTestServer(
    // 190 pages of matching videos, 20-30 ms each: seconds of listing, ended early by the hang-up.
    { sandbox: { videoCount: 20_000, latencyMs: [20, 30], library: 'preview-abort' } },
    {
      logLevel: 'info',
      logDestination: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream,
    },
  );
  const found = getSandboxLibrary('preview-abort');
  if (!found) throw new Error('no sandbox library "preview-abort"');
  library = found;
});

afterAll(async () => {
  await server?.close();
});

describe('selectVideos when the client hangs up', () => {
  it('stops listing once the HTTP request is aborted', async () => {
    const variables = { selection: { account: 'sandbox', status: ['READY'] }, sample: 0 };
    const hangUp = new AbortController();
    const request = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(SelectVideosDocument), variables }),
      signal: hangUp.signal,
    });
    await expect.poll(listCalls, POLL).toBeGreaterThanOrEqual(5);
    hangUp.abort();
    await expect(request).rejects.toMatchObject({ name: 'AbortError' });
    // The server has answered the aborted request (its log line), so its listing has ended: no call after that. A
    // client leaving is no error of the server's.
    await expect.poll(() => lines.filter((line) => line.includes('"graphql request"')).length, POLL).toBe(1);
    expect(lines.join('')).toContain('CLIENT_CLOSED_REQUEST');
    expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
    const atEnd = listCalls();
    expect(atEnd).toBeLessThan(100);
    // Another request later finds the count unchanged: nothing was listing in between.
    const { selectVideos } = await data(server.url, SelectVideosDocument, {
      selection: { account: 'sandbox', status: ['FAILED'] },
      sample: 0,
    });
    expect(selectVideos).toEqual({ __typename: 'VideoSelection', count: 0, complete: true, sample: [] });
    expect(listCalls()).toBe(atEnd + 1);
  });
});
