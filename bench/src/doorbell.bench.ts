import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PostgresOperationStore } from '@unreel/cluster';
import pg from 'pg';
import type { ReplicaArgs, ReplicaReport } from './doorbell-replica.js';
import { fmt, median } from './measure.js';

const ITEMS = 20_000;
const ROUNDS = 3;
const ADMIN_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

interface Replica {
  ready: Promise<void>;
  report: Promise<ReplicaReport>;
}

function startReplica(args: ReplicaArgs): Replica {
  const child = fork(fileURLToPath(new URL('./doorbell-replica.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready = (): void => {};
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const report = new Promise<ReplicaReport>((resolve, reject) => {
    child.on('message', (message: { ready?: true; report?: ReplicaReport }) => {
      if (message.ready) ready();
      if (message.report) resolve(message.report);
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`${args.role} replica exited with ${code}`)));
  });
  child.send(args);
  // A writer has nothing to wait for before it starts.
  if (args.role === 'writer') ready();
  return { ready: readyPromise, report };
}

/** Events per second from the first publish to the last delivery, and the p99 of publish-to-delivery per event. */
function figures(
  published: [number, number][],
  delivered: number[],
): { rate: number; written: number; p99: number; p50: number } {
  const sorted = [...published].sort((a, b) => a[0] - b[0]);
  const latencies: number[] = [];
  let index = 0;
  // The publish that first covered a sequence is the earliest one whose last sequence reaches it.
  for (let sequence = 1; sequence <= delivered.length; sequence += 1) {
    while (index < sorted.length && sorted[index]![0] < sequence) index += 1;
    const at = Math.min(...sorted.slice(index, index + 4).map(([, time]) => time));
    latencies.push(delivered[sequence - 1]! - at);
  }
  latencies.sort((a, b) => a - b);
  const start = Math.min(...sorted.slice(0, 4).map(([, time]) => time));
  return {
    rate: delivered.length / ((delivered.at(-1)! - start) / 1000),
    written: delivered.length / ((Math.max(...sorted.slice(-4).map(([, time]) => time)) - start) / 1000),
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function runDoorbell(): Promise<void> {
  console.log(`\n## doorbell: ${fmt(ITEMS)} events of one operation on a PostgreSQL journal, zero provider latency`);
  console.log(` (in-process bus, writer and follower in one process, against two processes on Redis doorbells;`);
  console.log(`  one warm-up round each, then ${ROUNDS} rounds alternating; medians)`);
  const name = `unreel_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let round = 0;
  const run = async (remote: boolean) => {
    round += 1;
    const args = {
      url: url.toString(),
      schema: `doorbell_${round}`,
      redisUrl: REDIS_URL,
      keyPrefix: `unreel-bench:${randomBytes(4).toString('hex')}:`,
      items: ITEMS,
      operationId: `bench-${round}`,
    };
    // Migrated once before the replicas start, as a deployment does.
    await (await PostgresOperationStore.open({ url: args.url, schema: args.schema })).close();
    if (!remote) {
      const both = startReplica({ ...args, role: 'both' });
      const report = await both.report;
      return { ...figures(report.published!, report.delivered!), doorbells: 0 };
    }
    const follower = startReplica({ ...args, role: 'follower' });
    await follower.ready;
    const writer = startReplica({ ...args, role: 'writer' });
    const [written, followed] = await Promise.all([writer.report, follower.report]);
    return { ...figures(written.published!, followed.delivered!), doorbells: followed.doorbells ?? 0 };
  };
  try {
    await run(false);
    await run(true);
    const local: Awaited<ReturnType<typeof run>>[] = [];
    const remote: Awaited<ReturnType<typeof run>>[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      if (index % 2 === 0) {
        local.push(await run(false));
        remote.push(await run(true));
      } else {
        remote.push(await run(true));
        local.push(await run(false));
      }
    }
    const show = (label: string, runs: typeof local, baseline?: typeof local) => {
      const rate = median(runs.map((r) => r.rate));
      const p99 = median(runs.map((r) => r.p99));
      const p50 = median(runs.map((r) => r.p50));
      const written = median(runs.map((r) => r.written));
      const ratio = baseline ? `  ${fmt(rate / median(baseline.map((r) => r.rate)), 2)}x in-process` : '  baseline';
      const doorbells = baseline ? `, ${fmt(median(runs.map((r) => r.doorbells)))} doorbells heard` : '';
      console.log(
        `${label}  ${fmt(rate)} events/s delivered (${fmt(written)}/s written)  p50 ${fmt(p50, 1)} ms  p99 ${fmt(p99, 1)} ms  (rates ${runs.map((r) => fmt(r.rate)).join(', ')}${doorbells})${ratio}`,
      );
    };
    show('in-process bus, one process    ', local);
    show('Redis doorbells, two processes ', remote, local);
    console.log('(targets for doorbells: >= 5,000 events/s, p99 publish-to-subscriber < 100 ms)');
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
