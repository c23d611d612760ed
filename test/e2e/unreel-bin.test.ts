import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { AccountsDocument } from '@unreel/client';
import { startChildServer } from '../support/child-server.js';
import { data } from '../support/graphql-http.js';

function start(env: Record<string, string>, cwd: string) {
  return startChildServer(env, cwd);
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the unreel command', () => {
  it('starts from a config file on PORT, serves, and on SIGTERM closes sockets with 1001 and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bin-'));
    const config = path.join(dir, 'unreel.config.json');
    writeFileSync(
      config,
      JSON.stringify({ accounts: [{ name: 'main', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 10 } }] }),
    );
    const { child, listening } = start({ PORT: '0', UNREEL_CONFIG: config }, dir);
    const { url } = await listening;
    const accounts = await data(url, AccountsDocument, {});
    expect(accounts.accounts.map((account) => account.name)).toEqual(['main']);

    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
  });

  it('says it runs on the embedded default, bound to 127.0.0.1, when there is no config file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bin-'));
    const { child, listening } = start({ PORT: '0', UNREEL_CONFIG: '' }, dir);
    const { url, msg } = await listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(msg).toContain('embedded default');
    // Where to point a browser: the console, served beside the API.
    expect(msg).toContain(`console at ${url.replace(/\/graphql$/, '/console')}`);
    expect((await fetch(url.replace(/\/graphql$/, '/console'))).status).toBe(200);
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('starts the server with `serve` too, and refuses an unknown argument as a usage error (exit 2)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bin-'));
    const { child, listening } = startChildServer({ PORT: '0', UNREEL_CONFIG: '' }, dir, ['serve']);
    expect((await listening).msg).toContain('embedded default');
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const refused = startChildServer({ PORT: '0', UNREEL_CONFIG: '' }, dir, ['--no-such-flag']);
    expect(await exitCode(refused.child)).toBe(2);
    expect(refused.stderr()).toContain("unknown option '--no-such-flag'");
  });

  it('stops a bad config with one line naming the account and the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bin-'));
    const config = path.join(dir, 'unreel.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        accounts: [{ name: 'main', plugin: '@unreel/plugin-sandbox', settings: { videoCount: 'many' } }],
      }),
    );
    const { child, stderr } = start({ PORT: '0', UNREEL_CONFIG: config }, dir);
    expect(await exitCode(child)).toBe(1);
    const lines = stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/accounts\[0\] "main": settings\.videoCount: .+/);
  });

  it('stops with one line, not a stack trace, when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'unreel-bin-'));
      const { child, stderr } = start({ PORT: String(port), UNREEL_CONFIG: '' }, dir);
      expect(await exitCode(child)).toBe(1);
      const lines = stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/unreel failed to start: .*EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
