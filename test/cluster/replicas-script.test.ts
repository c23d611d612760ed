import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { post } from '../support/graphql-http.js';

const ADMIN_URL = process.env['UNREEL_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const script = fileURLToPath(new URL('../../scripts/replicas.mjs', import.meta.url));
const database = `unreel_test_${randomBytes(6).toString('hex')}`;

interface Started {
  gateway: string;
  replicas: string[];
  simulator: string;
  videoIds: string[];
}

afterEach(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

it(
  'scripts/replicas.mjs creates the database, starts 3 replicas behind Hive Gateway, deletes through it, and stops them all on Ctrl-C',
  { timeout: 90_000 },
  async () => {
    const child = spawn(process.execPath, [script, '--port', '0', '--database', database, '--videos', '10'], {
      env: { ...process.env, DATABASE_URL: ADMIN_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const started = await new Promise<Started>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.startsWith('{"gateway"')) resolve(JSON.parse(line) as Started);
        });
        void exited.then((code) => reject(new Error(`replicas.mjs exited with ${code}: ${stderr}`)));
      });
      expect(started.replicas).toHaveLength(3);
      expect(new Set(started.replicas).size).toBe(3);

      const ids = started.videoIds.slice(0, 3);
      const answer = await post<
        { deleteVideos: { id: string; status: string; total: number; deleted: number } },
        unknown
      >(
        started.gateway,
        `mutation ($ids: [ID!]) { deleteVideos(input: { ids: $ids, wait: true }) { id status total deleted } }`,
        { ids },
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.deleteVideos).toMatchObject({ status: 'SUCCEEDED', total: 3, deleted: 3 });
      // Every replica answers for it from the one journal.
      for (const url of started.replicas) {
        const read = await post<{ deletion: { status: string; deleted: number } | null }, unknown>(
          url,
          `query ($id: ID!) { deletion(id: $id) { status deleted } }`,
          { id: answer.data?.deleteVideos.id },
        );
        expect(read.data?.deletion).toEqual({ status: 'SUCCEEDED', deleted: 3 });
      }

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      // Nothing it started still listens.
      for (const url of [started.gateway, ...started.replicas, started.simulator]) {
        await expect(fetch(url)).rejects.toThrow('fetch failed');
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  },
);
