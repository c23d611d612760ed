import { afterEach, describe, expect, it } from 'vitest';
import { startRestartableServer, type RestartableServer } from '../support/restartable-server.js';
import { startCli, until } from '../support/run-cli.js';

// A server that dies under a running `unreel delete`: the command reconnects and finishes with every item once when
// it comes back, and when it does not, gives up after --retries with exit 3 and says how to resume.

let server: RestartableServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ids = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => `sandbox:vid-${String(index + 1).padStart(6, '0')}`);

const items = (lines: Record<string, unknown>[]) => lines.filter((line) => line.type === 'item');

describe('unreel delete when the server goes away', () => {
  it('reconnects to the restarted server and shows every item once, in order', async () => {
    server = await startRestartableServer({ latencyMs: [40, 60] });
    const { url } = server;
    const batch = ids(30);
    // Generous: a restart on a busy machine takes a while, and each failed attempt counts.
    const run = startCli(['delete', ...batch, '--operation-id', 'cli-lost', '--retries', '30', '--json', '--url', url]);
    await until(() => items(run.json()).length >= 3, 'three items deleted');
    await server.kill();
    await until(() => run.stderr().includes('connection lost'), 'the command to notice');
    await server.restart();
    expect(await run.exited).toBe(0);
    const seen = items(run.json());
    expect(seen.map((item) => item.sequence)).toEqual(batch.map((_, index) => index + 1));
    expect(seen.map((item) => item.videoId).sort()).toEqual([...batch].sort());
    expect(run.json().at(-1)).toMatchObject({ type: 'result', status: 'SUCCEEDED', deleted: 30 });
  });

  it('gives up after --retries with exit 3 and the way to resume', async () => {
    server = await startRestartableServer({ latencyMs: [40, 60] });
    const { url } = server;
    const run = startCli(['delete', ...ids(30), '--operation-id', 'cli-gone', '--retries', '2', '--url', url]);
    await until(() => /^\[3\/30\] /m.test(run.stdout()), 'three items deleted');
    await server.kill();
    expect(await run.exited).toBe(3);
    expect(run.stderr()).toContain(`could not reach the server at ${url}`);
    expect(run.stderr()).toMatch(new RegExp(`resume with: unreel watch cli-gone --after \\d+ --url ${url}`));
  });
});
