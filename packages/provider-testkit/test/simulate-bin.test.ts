import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `pnpm simulate <id>` as a developer runs it: from the repository root, where every plugin is installed.
const bin = fileURLToPath(new URL('../dist/bin/simulate.js', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, stderr: () => stderr };
}

describe('unreel-simulate', () => {
  it('starts a plugin simulator, prints one JSON line a client can use, and stops on SIGTERM', async () => {
    const { child, exited } = run(['elytron', '--port', '0', '--videos', '3']);
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    const printed = JSON.parse(first) as { url: string; credentials: { apiKey: string }; videoIds: string[] };
    expect(printed.videoIds).toHaveLength(3);
    // A plain HTTP client, pointed where the line says, with the credentials it gives, reads a seeded video.
    const response = await fetch(`${printed.url}/videos/${printed.videoIds[0]}`, {
      headers: { authorization: `Bearer ${printed.credentials.apiKey}` },
    });
    expect(response.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses, in one line and with exit code 2, a plugin it cannot find or a bad flag', async () => {
    const missing = run(['no-such-provider']);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(/cannot find "@unreel\/plugin-no-such-provider\/simulator"/);
    const sandbox = run(['sandbox']);
    expect(await sandbox.exited).toBe(2);
    expect(sandbox.stderr()).toMatch(/sandbox/);
    const badPort = run(['elytron', '--port', 'x']);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr().trim()).toBe('--port must be a whole number from 0 to 65535, got "x"');
  });
});
