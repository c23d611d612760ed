import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CancelDeletionDocument,
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  type DeletionProgressSubscription,
} from '@unreel/client';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { data, post } from '../support/graphql-http.js';
import { collect, wsClient } from '../support/graphql-ws.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { startTcpRelay } from '../support/tcp-relay.js';
import { listVideoIds } from '../support/test-server.js';

const VIDEOS = 1_500;
/** Trust auth ignores it, which lets the tests check it never shows, in logs or errors. */
const PASSWORD = 'pg-Secret-Passw0rd-for-e2e';
const POLL = { timeout: 20_000, interval: 25 };

type Progress = DeletionProgressSubscription['deletionProgress'];

/** Another selection than DeletionProgressDocument's: its subscribers form a group (and a feed) of their own. */
const LateProgressDocument = parse(
  'subscription Late($operationId: ID!, $after: Int) { deletionProgress(operationId: $operationId, after: $after) { sequence } }',
) as TypedDocumentNode<{ deletionProgress: { sequence: number } }, { operationId: string; after: number }>;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

/** The test database's URL with a password in it, as an operator's DATABASE_URL holds one. */
function databaseUrl(): string {
  const url = new URL(database.url);
  url.password = PASSWORD;
  return url.toString();
}

/** A config on the postgres journal and one slowed-down sandbox account that remembers its deletions across processes. */
function writeConfig(dir: string, journal: Record<string, unknown>): { configFile: string; stateFile: string } {
  const configFile = path.join(dir, 'unreel.config.json');
  const stateFile = path.join(dir, 'sandbox-state.jsonl');
  writeFileSync(
    configFile,
    JSON.stringify({
      journal,
      accounts: [
        {
          name: 'sb',
          plugin: '@unreel/plugin-sandbox',
          // Slow to answer after acting, so a kill lands while deletions have happened that the journal cannot know of.
          settings: {
            videoCount: VIDEOS,
            latencyMs: [5, 15],
            replyDelayMs: [30, 60],
            processingRatio: 0,
            forbiddenRatio: 0,
            stateFile,
          },
          limits: { concurrency: 2 },
        },
      ],
    }),
  );
  return { configFile, stateFile };
}

async function stop(server: ChildServer): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

describe('the unreel command on a PostgreSQL journal', () => {
  it('refuses a bad journal.url with one line naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-pg-'));
    const { configFile } = writeConfig(dir, { driver: 'postgres', url: `mysql://root:${PASSWORD}@localhost/x` });
    const server = startChildServer({ PORT: '0', UNREEL_CONFIG: configFile }, dir);
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/journal\.url: must be a PostgreSQL URL/);
    expect(lines[0]).not.toContain(PASSWORD);
  });

  it('stops with one line naming journal.url, without the password, when the database cannot be reached', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-pg-'));
    const { configFile } = writeConfig(dir, { driver: 'postgres', url: '${DATABASE_URL}' });
    // Nothing listens on port 1: as when PostgreSQL is down.
    const env = {
      PORT: '0',
      UNREEL_CONFIG: configFile,
      DATABASE_URL: `postgres://unreel:${PASSWORD}@127.0.0.1:1/unreel`,
    };
    const server = startChildServer(env, dir);
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/journal\.url \(postgres:\/\/127\.0\.0\.1:1\/unreel\) cannot be opened: .*ECONNREFUSED/);
    expect(server.stderr() + server.stdout().join('\n')).not.toContain(PASSWORD);
  });

  it('deletes with progress, finishes every item exactly once after a SIGKILL, cancels, and keeps idempotency', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-pg-'));
    const { configFile, stateFile } = writeConfig(dir, { driver: 'postgres', url: '${DATABASE_URL}', poolSize: 4 });
    const env = { PORT: '0', UNREEL_CONFIG: configFile, DATABASE_URL: databaseUrl() };

    const first = startChildServer(env, dir);
    const { url: firstUrl, msg } = await first.listening;
    expect(msg).toContain(`journal on PostgreSQL postgres://127.0.0.1:5432/${database.name} (one replica)`);
    const ids = await listVideoIds(firstUrl, 'sb', VIDEOS);
    expect(ids).toHaveLength(VIDEOS);
    const watcher = wsClient(firstUrl.replace(/^http/, 'ws'));
    const live = collect(watcher, DeletionProgressDocument, { operationId: 'pg-1', after: 0 });
    live.done.catch(() => undefined); // the kill cuts it off
    const accepted = await data(firstUrl, DeleteVideosDocument, { input: { ids, operationId: 'pg-1', wait: false } });
    expect(accepted.deleteVideos).toMatchObject({ status: 'RUNNING', total: VIDEOS });
    await expect
      .poll(async () => (await data(firstUrl, DeletionDocument, { id: 'pg-1', first: 1 })).deletion?.deleted ?? 0, POLL)
      .toBeGreaterThanOrEqual(200);
    first.child.kill('SIGKILL');
    await first.exited;
    await watcher.dispose();
    expect(first.stdout().join('\n')).not.toContain(PASSWORD);
    const seenLive = live.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
    expect(seenLive.map((event) => event.sequence)).toEqual(seenLive.map((_, index) => index + 1));

    const second = startChildServer(env, dir);
    const secondUrl = (await second.listening).url;
    try {
      const client = wsClient(secondUrl.replace(/^http/, 'ws'));
      const stream = collect(client, DeletionProgressDocument, { operationId: 'pg-1', after: 0 });
      await stream.done;
      const resumed = collect(client, DeletionProgressDocument, { operationId: 'pg-1', after: seenLive.length });
      await resumed.done;
      const events = stream.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: VIDEOS }, (_, index) => index + 1));
      const finals = new Map<string, number>();
      for (const event of events) finals.set(event.item.videoId, (finals.get(event.item.videoId) ?? 0) + 1);
      expect(finals.size).toBe(VIDEOS);
      expect([...finals.values()].every((count) => count === 1)).toBe(true);
      expect(events.every((event) => event.item.status === 'DELETED')).toBe(true);
      const summary = (event: Progress) => [event.sequence, event.item.videoId, event.item.status, event.completed];
      expect(events.slice(0, seenLive.length).map(summary)).toEqual(seenLive.map(summary));
      expect(
        resumed.results.map((result) => summary((result.data as DeletionProgressSubscription).deletionProgress)),
      ).toEqual(events.slice(seenLive.length).map(summary));
      expect((await data(secondUrl, DeletionDocument, { id: 'pg-1', first: 1 })).deletion).toMatchObject({
        status: 'SUCCEEDED',
        total: VIDEOS,
        deleted: VIDEOS,
        pending: 0,
      });
      // Every video reached the provider at most twice: once before the kill, once more on resume.
      const deliveries = new Map<string, number>();
      for (const line of readFileSync(stateFile, 'utf8').split('\n')) {
        if (!line.includes('"m":"delete"')) continue;
        for (const id of (JSON.parse(line) as { ids: string[] }).ids) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      }
      expect(deliveries.size).toBe(VIDEOS);
      expect(Math.max(...deliveries.values())).toBeLessThanOrEqual(2);

      // Idempotency across the restart: the same id and ids are the same operation; other ids are a conflict.
      const again = await data(secondUrl, DeleteVideosDocument, { input: { ids, operationId: 'pg-1', wait: false } });
      expect(again.deleteVideos).toMatchObject({ id: 'pg-1', status: 'SUCCEEDED', deleted: VIDEOS });
      const conflict = await post(secondUrl, DeleteVideosDocument, {
        input: { ids: ids.slice(0, 3), operationId: 'pg-1', wait: false },
      });
      expect(conflict.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');

      // Cancel: a new operation on videos now gone is cancelled while its first calls are in flight.
      const cancelled = collect(client, DeletionProgressDocument, { operationId: 'pg-cancel', after: 0 });
      await data(secondUrl, DeleteVideosDocument, { input: { ids, operationId: 'pg-cancel', wait: false } });
      const answer = await data(secondUrl, CancelDeletionDocument, { operationId: 'pg-cancel' });
      expect(answer.cancelDeletion?.cancelled).toBeGreaterThan(0);
      await cancelled.done;
      await client.dispose();
      const cancelEvents = cancelled.results.map(
        (result) => (result.data as DeletionProgressSubscription).deletionProgress,
      );
      expect(cancelEvents.map((event) => event.sequence)).toEqual(
        Array.from({ length: VIDEOS }, (_, index) => index + 1),
      );
      expect(new Set(cancelEvents.map((event) => event.item.videoId)).size).toBe(VIDEOS);
      const operation = (await data(secondUrl, DeletionDocument, { id: 'pg-cancel', first: 1 })).deletion;
      expect(operation).toMatchObject({ status: 'CANCELLED', pending: 0, total: VIDEOS });
      expect((operation?.notFound ?? 0) + (operation?.cancelled ?? 0) + (operation?.deleted ?? 0)).toBe(VIDEOS);
      expect(second.stdout().join('\n')).not.toContain(PASSWORD);
    } finally {
      await stop(second);
    }
  }, 90_000);

  it('fails /readyz and refuses new deletions while PostgreSQL cannot be reached, then finishes the operation', async () => {
    // The server reaches PostgreSQL through a relay the test can take away, as when the database goes down.
    const relay = await startTcpRelay({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-pg-'));
    const { configFile } = writeConfig(dir, { driver: 'postgres', url: '${DATABASE_URL}', poolSize: 3 });
    const viaRelay = new URL(databaseUrl());
    viaRelay.port = String(relay.port);
    const server = startChildServer({ PORT: '0', UNREEL_CONFIG: configFile, DATABASE_URL: viaRelay.toString() }, dir);
    try {
      const { url } = await server.listening;
      const ids = await listVideoIds(url, 'sb', 300);
      // One subscription follows the operation across the whole outage, from before it to after it.
      const client = wsClient(url.replace(/^http/, 'ws'));
      const progress = collect(client, DeletionProgressDocument, { operationId: 'pg-down', after: 0 });
      await data(url, DeleteVideosDocument, { input: { ids, operationId: 'pg-down', wait: false } });
      await expect
        .poll(async () => (await data(url, DeletionDocument, { id: 'pg-down', first: 1 })).deletion?.deleted ?? 0, POLL)
        .toBeGreaterThan(0);

      await relay.cut();
      await vi.waitFor(
        async () => {
          const response = await fetch(new URL('/readyz', url));
          expect(response.status).toBe(503);
          expect(await response.json()).toMatchObject({ status: 'journal-unavailable' });
        },
        { timeout: 20_000, interval: 50 },
      );
      const refused = await post(url, DeleteVideosDocument, { input: { ids: ids.slice(0, 1), operationId: 'pg-new' } });
      expect(refused.errors?.[0]?.extensions?.code).toBe('JOURNAL_UNAVAILABLE');
      // A second subscriber, in a group of its own, whose replay must read while the database is away: it waits.
      const lateClient = wsClient(url.replace(/^http/, 'ws'));
      const late = collect(lateClient, LateProgressDocument, { operationId: 'pg-down', after: 0 });
      const warning = 'progress feed: the journal cannot be read; streams wait and read again';
      await vi.waitFor(() => expect(server.stdout().join('\n')).toContain(warning), { timeout: 20_000, interval: 50 });

      await relay.restore();
      await Promise.all([progress.done, late.done]);
      await Promise.all([client.dispose(), lateClient.dispose()]);
      const events = progress.results.map((result) => (result.data as DeletionProgressSubscription).deletionProgress);
      expect(events.map((event) => event.sequence)).toEqual(ids.map((_, index) => index + 1));
      expect(new Set(events.map((event) => event.item.videoId)).size).toBe(ids.length);
      const lateEvents = late.results.map((result) => result.data as { deletionProgress: { sequence: number } });
      expect(lateEvents.map((event) => event.deletionProgress.sequence)).toEqual(ids.map((_, index) => index + 1));
      // Logged once per outage by each feed that read during it (the late one for sure, the first one if it happened
      // to read then), naming the database without the password.
      const warnings = server
        .stdout()
        .map((line) => JSON.parse(line) as { msg: string; error?: string })
        .filter((line) => line.msg === warning);
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(warnings.length).toBeLessThanOrEqual(2);
      for (const line of warnings) expect(line.error).toContain('The journal cannot be written right now');
      expect((await data(url, DeletionDocument, { id: 'pg-down', first: 1 })).deletion).toMatchObject({
        status: 'SUCCEEDED',
        pending: 0,
      });
      await vi.waitFor(async () => expect((await fetch(new URL('/readyz', url))).status).toBe(200), {
        timeout: 20_000,
        interval: 50,
      });
      expect(server.stdout().join('\n')).not.toContain(PASSWORD);
    } finally {
      await stop(server);
      await relay.close();
    }
  }, 90_000);
});
