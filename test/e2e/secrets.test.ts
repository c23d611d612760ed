import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { print, type DocumentNode } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretRedactor } from '@unreel/provider-kit';
import {
  AccountsDocument,
  DeleteVideosDocument,
  DeletionDocument,
  DeletionProgressDocument,
  RestoreVideoDocument,
  VideoDocument,
  VideosDocument,
} from '@unreel/client';
import { startSimulator as startAliyunVod } from '@unreel/plugin-aliyun-vod/simulator';
import { startSimulator as startApiVideo } from '@unreel/plugin-api-video/simulator';
import { startSimulator as startElytron } from '@unreel/plugin-elytron/simulator';
import { startSimulator as startFastPix } from '@unreel/plugin-fastpix/simulator';
import { startSimulator as startOmegastream } from '@unreel/plugin-omegastream/simulator';
import type { RunningSimulator } from '@unreel/provider-kit/simulator';
import { startChildServer, type ChildServer } from '../support/child-server.js';

/**
 * An account whose plugin holds credentials, the values that must never show, and the ids that exercise it.
 * Add the real plugins here (each `setup` starts its simulator and returns the account pointed at it): the traffic
 * below then runs against them too, and every secret they declare is looked for in every log line and response.
 */
interface SecretAccount {
  account: { name: string; plugin: string; settings: Record<string, unknown> };
  /** Environment the settings interpolate, e.g. `{ "APIVIDEO_KEY": "..." }`. */
  env: Record<string, string>;
  /** Values that must appear nowhere: keys, secrets, tokens. */
  secrets: string[];
  /** Native ids per deleteVideos call: one operation each, so a failing group does not take the others down. */
  deleteGroups: string[][];
  lookupIds: string[];
  restoreId: string;
  close?: () => Promise<void>;
}

const ECHO_TOKEN = 'echo-token-4f9c2a7be1d0';
const echoPlugin = fileURLToPath(new URL('../fixtures/secret-echo-plugin/index.js', import.meta.url));

const SECRET_ACCOUNTS: (() => Promise<SecretAccount>)[] = [
  async () => ({
    account: { name: 'echo', plugin: echoPlugin, settings: { token: '${ECHO_TOKEN}' } },
    env: { ECHO_TOKEN },
    secrets: [ECHO_TOKEN],
    deleteGroups: [['vid-1', 'vid-2', 'fail-1'], ['auth-1'], ['crash-1']],
    lookupIds: ['vid-3', 'auth-2'],
    restoreId: 'vid-1',
  }),
  async () => ({
    account: {
      name: 'main',
      plugin: '@unreel/plugin-sandbox',
      settings: { videoCount: 30, latencyMs: [0, 2], processingRatio: 0.2, forbiddenRatio: 0.2 },
    },
    env: {},
    secrets: [],
    deleteGroups: [
      ['vid-000001', 'vid-000002', 'vid-000003', 'vid-000004', 'vid-000005', 'vid-000006', 'vid-000007', 'vid-000008'],
    ],
    lookupIds: ['vid-000009', 'vid-000010'],
    restoreId: 'vid-000001',
  }),
];

/** Seeded ids that give a deletion of every kind (deleted, refused, missing), a lookup and a restore. */
async function realProvider(
  simulator: RunningSimulator,
  account: SecretAccount['account'],
  env: Record<string, string>,
  secrets: string[],
  options: { forbidden?: boolean } = {},
): Promise<SecretAccount> {
  const [ready1, ready2, processing, lookup, forbidden] = await simulator.seed([
    { state: 'READY' },
    { state: 'READY' },
    { state: 'PROCESSING' },
    { state: 'READY' },
    ...(options.forbidden === false ? [] : [{ state: 'FORBIDDEN' as const }]),
  ]);
  return {
    account,
    env,
    secrets,
    deleteGroups: [[ready1!, ready2!, processing!, ...(forbidden ? [forbidden] : []), simulator.missingId()]],
    lookupIds: [lookup!, simulator.missingId()],
    restoreId: ready1!,
    close: () => simulator.close(),
  };
}

const basic = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

// The five real plugins against their simulators, keys through ${ENV} as an operator writes them.
const PROVIDER_ACCOUNTS: (() => Promise<SecretAccount>)[] = [
  async () => {
    const simulator = await startOmegastream({ videoCount: 0 });
    const key = simulator.credentials.apiKey;
    return realProvider(
      simulator,
      {
        name: 'omega',
        plugin: '@unreel/plugin-omegastream',
        settings: { apiKey: '${OMEGA_KEY}', baseUrl: simulator.url },
      },
      { OMEGA_KEY: key },
      [key],
    );
  },
  async () => {
    const simulator = await startApiVideo({ videoCount: 0, videoRestore: true });
    const key = simulator.credentials.apiKey;
    return realProvider(
      simulator,
      {
        name: 'apivideo',
        plugin: '@unreel/plugin-api-video',
        settings: { apiKey: '${APIVIDEO_KEY}', baseUrl: simulator.url, videoRestore: true, auth: 'bearer' },
      },
      { APIVIDEO_KEY: key },
      [key, basic(key, '')],
      { forbidden: false },
    );
  },
  async () => {
    // A key api.video refuses, on a simulator that quotes refused credentials back: the refusal must reach nobody.
    const simulator = await startApiVideo({ videoCount: 0, echoCredentials: true });
    const wrong = 'wrong-apivideo-key-9e1f77c3';
    return realProvider(
      simulator,
      {
        name: 'apivideo-wrong',
        plugin: '@unreel/plugin-api-video',
        settings: { apiKey: '${APIVIDEO_WRONG_KEY}', baseUrl: simulator.url },
      },
      { APIVIDEO_WRONG_KEY: wrong },
      [wrong, basic(wrong, '')],
      { forbidden: false },
    );
  },
  async () => {
    const simulator = await startElytron({ videoCount: 0, plan: 'enterprise' });
    const key = simulator.credentials.apiKey;
    return realProvider(
      simulator,
      {
        name: 'elytron',
        plugin: '@unreel/plugin-elytron',
        settings: { apiKey: '${ELYTRON_KEY}', baseUrl: simulator.url, plan: 'enterprise' },
      },
      { ELYTRON_KEY: key },
      [key],
    );
  },
  async () => {
    const simulator = await startFastPix({ videoCount: 0 });
    const { accessTokenId, secretKey } = simulator.credentials;
    return realProvider(
      simulator,
      {
        name: 'fastpix',
        plugin: '@unreel/plugin-fastpix',
        settings: { accessTokenId: '${FASTPIX_ID}', secretKey: '${FASTPIX_SECRET}', baseUrl: simulator.url },
      },
      { FASTPIX_ID: accessTokenId, FASTPIX_SECRET: secretKey },
      [accessTokenId, secretKey, basic(accessTokenId, secretKey)],
    );
  },
  async () => {
    const simulator = await startAliyunVod({ videoCount: 0 });
    const { accessKeyId, accessKeySecret } = simulator.credentials;
    return realProvider(
      simulator,
      {
        name: 'vod',
        plugin: '@unreel/plugin-aliyun-vod',
        settings: {
          accessKeyId,
          accessKeySecret: '${VOD_SECRET}',
          endpoint: simulator.url,
          signatureVersion: 'v2',
          method: 'GET',
        },
      },
      { VOD_SECRET: accessKeySecret },
      [accessKeySecret],
    );
  },
];

const ACME_KEY = 'acme-api-key-7d1e93b05c2f';
const METRICS_KEY = 'metrics-api-key-0a8b6c4d2e';

let accounts: SecretAccount[];
let server: ChildServer;
let url: string;
const responses: string[] = [];

/** A `ws` socket that keeps a copy of every frame the server sends. */
class RecordingWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols);
    this.on('message', (data) => responses.push(String(data)));
  }
}

async function send(document: DocumentNode, variables: Record<string, unknown>, key = ACME_KEY): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const text = await response.text();
  responses.push(text);
  return JSON.parse(text);
}

async function overWebSocket(
  document: DocumentNode,
  variables: Record<string, unknown>,
  key = ACME_KEY,
): Promise<void> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: RecordingWebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${key}` },
  });
  try {
    await new Promise<void>((resolve) =>
      client.subscribe(
        { query: print(document), variables },
        { next: () => undefined, error: () => resolve(), complete: resolve },
      ),
    );
  } finally {
    await client.dispose();
  }
}

/** The traffic of the end-to-end suite, per account: lists, lookups, deletions, progress, restores, and mistakes. */
async function runTraffic(entry: SecretAccount): Promise<void> {
  const name = entry.account.name;
  await send(AccountsDocument, {});
  await send(VideosDocument, { account: name, first: 5 });
  await overWebSocket(VideosDocument, { account: name, first: 3 });
  for (const id of entry.lookupIds) {
    await send(VideoDocument, { id: `${name}:${id}` });
    await overWebSocket(VideoDocument, { id: `${name}:${id}` });
  }
  for (const [index, group] of entry.deleteGroups.entries()) {
    const operationId = `${name}-secrets-${index}`;
    await send(DeleteVideosDocument, { input: { ids: group.map((id) => `${name}:${id}`), operationId } });
    await send(DeletionDocument, { id: operationId, first: 50 });
    await overWebSocket(DeletionProgressDocument, { operationId, after: 0 });
  }
  await send(RestoreVideoDocument, { id: `${name}:${entry.restoreId}` });
  await overWebSocket(RestoreVideoDocument, { id: `${name}:${entry.restoreId}` });
  // Mistakes: wrong keys on both transports, a malformed id, an unknown account, a secret sent back as input.
  await send(AccountsDocument, {}, `${ACME_KEY}-wrong`);
  await overWebSocket(AccountsDocument, {}, 'not-the-key-at-all');
  await send(VideoDocument, { id: `${name}` });
  await send(DeleteVideosDocument, { input: { ids: [`unknown-${name}:x`] } });
}

beforeAll(async () => {
  accounts = await Promise.all([...SECRET_ACCOUNTS, ...PROVIDER_ACCOUNTS].map((setup) => setup()));
  const dir = mkdtempSync(path.join(tmpdir(), 'unreel-secrets-'));
  const config = path.join(dir, 'unreel.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      journal: { driver: 'sqlite', path: 'journal.db' },
      accounts: accounts.map((entry) => entry.account),
      tenants: [{ name: 'acme', apiKeys: ['${ACME_KEY}'], accounts: accounts.map((entry) => entry.account.name) }],
      server: { metrics: { apiKey: '${METRICS_KEY}' } },
    }),
  );
  const env = Object.assign(
    { PORT: '0', UNREEL_CONFIG: config, LOG_LEVEL: 'debug', ACME_KEY, METRICS_KEY },
    ...accounts.map((entry) => entry.env),
  ) as Record<string, string>;
  server = startChildServer(env, dir);
  ({ url } = await server.listening);
  for (const entry of accounts) await runTraffic(entry);
  const metrics = await fetch(url.replace(/\/graphql$/, '/metrics'), {
    headers: { authorization: `Bearer ${METRICS_KEY}` },
  });
  responses.push(await metrics.text());
  // Stop it, so every log line it would write is written.
  server.child.kill('SIGTERM');
  await server.exited;
}, 120_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await Promise.all(accounts?.map((entry) => entry.close?.()) ?? []);
});

describe('secrets', () => {
  it('ran the traffic: requests were logged, plugins tried to leak, and redaction answered', () => {
    // Every real provider answered the delete (one operation each, finished), the refused key included.
    for (const name of ['omega', 'apivideo', 'elytron', 'fastpix', 'vod', 'apivideo-wrong']) {
      expect(
        responses.some((response) => response.includes(`"id":"${name}-secrets-0"`) && response.includes('"pending":0')),
      ).toBe(true);
    }
    // The refused key came back quoted by the provider, and what reached the client says so without it.
    expect(
      responses.some((response) =>
        /"code":"UNAUTHORIZED","message":"api-video answered 401[^"]*\[redacted\]/.test(response),
      ),
    ).toBe(true);
    const lines = server.stdout();
    expect(lines.filter((line) => line.includes('"graphql request"')).length).toBeGreaterThan(10);
    expect(lines.some((line) => line.includes('[redacted]'))).toBe(true);
    expect(responses.length).toBeGreaterThan(30);
    // The fixture's per-item error reached the client, with its token cut out.
    expect(responses.some((response) => /not yours \(token \[redacted\]\)/.test(response))).toBe(true);
    // Its crash (a plain Error) too, with what it said, the encoded forms of its token cut out as well.
    expect(
      responses.some((response) =>
        response.includes(
          'secret-echo plugin failed unexpectedly (Error: unexpected crash while holding [redacted] (Basic [redacted], ?token=[redacted]))',
        ),
      ),
    ).toBe(true);
    expect(responses.some((response) => response.includes('unreel_items_total'))).toBe(true);
  });

  it('never shows a configured secret or API key in a log line, on stderr, or in a response', () => {
    const secrets = [ACME_KEY, METRICS_KEY, ...accounts.flatMap((entry) => entry.secrets)];
    const lines = server.stdout();
    for (const secret of secrets) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
      expect(server.stderr()).not.toContain(secret);
      expect(responses.filter((response) => response.includes(secret))).toEqual([]);
    }
    // Nor base64 (a Basic header's pair included) or percent-encoded.
    const encoded = createSecretRedactor(secrets);
    expect(lines.filter((line) => encoded.exposes(line))).toEqual([]);
    expect(encoded.exposes(server.stderr())).toBe(false);
    expect(responses.filter((response) => encoded.exposes(response))).toEqual([]);
  });
});
