import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelDeletionDocument, DeleteVideosDocument, DeletionDocument } from '@unreel/client';
import { startSimulator as startOmegastream, type OmegastreamSimulator } from '@unreel/plugin-omegastream/simulator';
import { createUnreelServer, type UnreelServer } from '@unreel/server';
import { data, post } from '../support/graphql-http.js';

const HOUR = 3_600_000;
/** Generous: the machine is shared, and these wait for states, never for time. */
const POLL = { timeout: 15_000 };

/**
 * OmegaStream refuses to delete a video until 4 hours after it finished processing (TOO_RECENT), and says from when
 * through the video's own times. The simulator and the server share a clock the test moves: a server started after
 * that time has come, on the same journal, finds the waiting item due and deletes it.
 */
describe("whenBlocked against OmegaStream's 4-hour rule", () => {
  let offset = 0;
  const clock = () => Date.now() + offset;
  const journal = path.join(mkdtempSync(path.join(tmpdir(), 'unreel-when-blocked-')), 'journal.db');
  let omega: OmegastreamSimulator;
  let server: UnreelServer | undefined;

  const start = async (): Promise<UnreelServer> =>
    createUnreelServer({
      port: 0,
      logLevel: 'silent',
      now: () => new Date(clock()),
      config: {
        journal: { path: journal },
        accounts: [
          {
            name: 'omega',
            plugin: '@unreel/plugin-omegastream',
            settings: { apiKey: omega.credentials.apiKey, baseUrl: omega.url },
          },
        ],
      },
    });

  const items = async (url: string, operationId: string) =>
    (await data(url, DeletionDocument, { id: operationId, first: 10 })).deletion?.items.edges.map((edge) => edge.node);

  beforeAll(async () => {
    omega = await startOmegastream({ videoCount: 0, rateLimit: false, now: clock });
  });

  afterAll(async () => {
    await server?.close();
    await omega?.close();
  });

  it('fails a too recent video at once by default, retryable, with the time it becomes deletable', async () => {
    server = await start();
    const [recent] = omega.addVideos([{ status: 'process-completed', settledAgoMs: HOUR }]) as [string];
    const deletableAt = new Date(omega.video(recent)!.updatedAt + 4 * HOUR).toISOString();
    const result = await data(server.url, DeleteVideosDocument, {
      input: { ids: [`omega:${recent}`], operationId: 'fail-now' },
    });
    expect(result.deleteVideos).toMatchObject({ status: 'FAILED', failed: 1 });
    const [item] = (await items(server.url, 'fail-now')) ?? [];
    expect(item).toMatchObject({
      status: 'FAILED',
      nextAttemptAt: null,
      error: { code: 'TOO_RECENT', retryable: true, retryAfter: deletableAt },
    });
    await server.close();
    server = undefined;
  });

  it('with whenBlocked: WAIT, keeps it SCHEDULED until then, across a restart, and deletes it once the time has come', async () => {
    server = await start();
    const [ready, recent] = omega.addVideos([
      { status: 'process-completed', settledAgoMs: 30 * 24 * HOUR },
      { status: 'process-completed', settledAgoMs: HOUR },
    ]) as [string, string];
    const deletableAt = new Date(omega.video(recent)!.updatedAt + 4 * HOUR).toISOString();
    const ids = [`omega:${ready}`, `omega:${recent}`];
    const accepted = await data(server.url, DeleteVideosDocument, {
      input: { ids, operationId: 'wait', wait: false, whenBlocked: 'WAIT' },
    });
    expect(accepted.deleteVideos).toMatchObject({ status: 'RUNNING', pending: 2 });
    const url = server.url;
    await expect
      .poll(async () => (await items(url, 'wait'))?.map((item) => item.status), POLL)
      .toEqual(['DELETED', 'SCHEDULED']);
    const [, waiting] = (await items(url, 'wait')) ?? [];
    expect(waiting).toMatchObject({
      attempts: 1,
      nextAttemptAt: deletableAt,
      error: { code: 'TOO_RECENT', retryable: true, retryAfter: deletableAt },
    });
    // A retry of the request must ask the same of blocked videos.
    const conflict = await post(url, DeleteVideosDocument, { input: { ids, operationId: 'wait', wait: false } });
    expect(conflict.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
    await server.close();

    // Past the time OmegaStream gave: the next server finds the item due in the journal.
    offset = 3 * HOUR + 60_000;
    server = await start();
    const again = server.url;
    await expect
      .poll(async () => (await data(again, DeletionDocument, { id: 'wait', first: 10 })).deletion?.status, POLL)
      .toBe('SUCCEEDED');
    const [, deleted] = (await items(again, 'wait')) ?? [];
    expect(deleted).toMatchObject({ status: 'DELETED', attempts: 2, error: null, nextAttemptAt: null });
    expect(omega.stateOf(recent)).not.toBe('PRESENT');
  });

  it('cancels a video waiting for OmegaStream', async () => {
    server ??= await start();
    const [recent] = omega.addVideos([{ status: 'process-completed', settledAgoMs: HOUR }]) as [string];
    await data(server.url, DeleteVideosDocument, {
      input: { ids: [`omega:${recent}`], operationId: 'wait-then-cancel', wait: false, whenBlocked: 'WAIT' },
    });
    const url = server.url;
    await expect.poll(async () => (await items(url, 'wait-then-cancel'))?.[0]?.status, POLL).toBe('SCHEDULED');
    const cancelled = await data(url, CancelDeletionDocument, { operationId: 'wait-then-cancel' });
    expect(cancelled.cancelDeletion).toMatchObject({ status: 'CANCELLED', cancelled: 1, pending: 0 });
    expect((await items(url, 'wait-then-cancel'))?.[0]).toMatchObject({ status: 'CANCELLED', nextAttemptAt: null });
    expect(omega.stateOf(recent)).toBe('PRESENT');
  });
});
