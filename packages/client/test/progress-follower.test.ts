import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { watchDeletion } from '../src/watch-deletion.js';
import type { RetryInfo } from '../src/retry-policy.js';
import { startScriptedServer, type ScriptedEvent, type ScriptedServer } from './scripted-server.js';

// What the real server never does (replay from the wrong place, skip a sequence, complete early on its way down),
// played by a scripted graphql-ws server, to prove the client delivers each sequence once, in order, regardless.
const running = (from: number, to: number): ScriptedEvent[] =>
  Array.from({ length: to - from + 1 }, (_, index) => ({ sequence: from + index, status: 'RUNNING' as const }));
const fast = { initialDelayMs: 5, maxDelayMs: 20 };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function follow(options: { after?: number; retries?: RetryInfo[] } = {}) {
  if (!server) throw new Error('no server');
  const delivered: number[] = [];
  const outcome = await watchDeletion({
    url: server.url,
    operationId: 'op-1',
    webSocketImpl: WebSocket,
    retry: fast,
    ...(options.after === undefined ? {} : { after: options.after }),
    onProgress: (event) => delivered.push(event.sequence),
    onRetry: (info) => options.retries?.push(info),
  });
  return { delivered, outcome };
}

describe('following deletionProgress', () => {
  it('drops what a resubscription replays twice and resumes from the last sequence it delivered', async () => {
    let finished = false;
    server = await startScriptedServer(
      (_after, call) => {
        if (call === 1) return { events: running(1, 3), end: 'drop' };
        finished = true;
        // Wrongly from the start again: 1, 2, 3 once more, then the rest.
        return { events: [...running(1, 4), { sequence: 5, status: 'SUCCEEDED' }], end: 'complete' };
      },
      () => (finished ? 'SUCCEEDED' : 'RUNNING'),
    );
    const retries: RetryInfo[] = [];
    const { delivered, outcome } = await follow({ retries });
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    expect(outcome.events.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(server.afters).toEqual([0, 3]);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.error).toMatchObject({ code: 'NETWORK', retryable: true, operationId: 'op-1' });
  });

  it('never delivers past a gap: it resubscribes from the last sequence and takes the replay', async () => {
    server = await startScriptedServer(
      (after) =>
        after === 0
          ? {
              events: [
                { sequence: 1, status: 'RUNNING' },
                { sequence: 3, status: 'RUNNING' },
              ],
              end: 'complete',
            }
          : { events: [...running(2, 3), { sequence: 4, status: 'SUCCEEDED' }], end: 'complete' },
      () => 'RUNNING',
    );
    const { delivered } = await follow();
    expect(delivered).toEqual([1, 2, 3, 4]);
    expect(server.afters).toEqual([0, 1]);
  });

  it('rejects with PROTOCOL when the same gap comes back', async () => {
    server = await startScriptedServer(
      (after) => ({ events: [{ sequence: after + 2, status: 'RUNNING' }], end: 'complete' }),
      () => 'RUNNING',
    );
    await expect(follow()).rejects.toMatchObject({ code: 'PROTOCOL', operationId: 'op-1' });
  });

  it('does not take a completion for the end while the operation runs (a server on its way down completes early)', async () => {
    let finished = false;
    server = await startScriptedServer(
      (after) => {
        if (after === 0) return { events: running(1, 2), end: 'complete' };
        finished = true;
        return { events: [{ sequence: 3, status: 'SUCCEEDED' }], end: 'complete' };
      },
      () => (finished ? 'SUCCEEDED' : 'RUNNING'),
    );
    const { delivered, outcome } = await follow();
    expect(delivered).toEqual([1, 2, 3]);
    expect(outcome.result.status).toBe('SUCCEEDED');
    expect(server.afters).toEqual([0, 2]);
  });

  it('for a finished operation, ends after one subscription that delivered the rest after `after`', async () => {
    server = await startScriptedServer(
      (after) => ({ events: after < 4 ? [{ sequence: 4, status: 'SUCCEEDED' }] : [], end: 'complete' }),
      () => 'SUCCEEDED',
    );
    const { delivered } = await follow({ after: 3 });
    expect(delivered).toEqual([4]);
    expect(server.afters).toEqual([3]);
  });

  it('gives up after retry.maxAttempts failures in a row with the last error', async () => {
    server = await startScriptedServer(
      () => ({ events: [], end: 'drop' }),
      () => 'RUNNING',
    );
    const retries: RetryInfo[] = [];
    const failed = watchDeletion({
      url: server.url,
      operationId: 'op-1',
      webSocketImpl: WebSocket,
      retry: { ...fast, maxAttempts: 3 },
      onRetry: (info) => retries.push(info),
    });
    await expect(failed).rejects.toMatchObject({ code: 'NETWORK', operationId: 'op-1' });
    expect(retries.map((info) => info.attempt)).toEqual([1, 2]);
  });
});
