import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { summariseCpuProfile } from './cpu-profile.js';
import { fmt, median } from './measure.js';
import type { ServerCommand } from './video-query-server.js';
import { VIDEO_QUERY, videoIds, type VideoQueryServerName } from './video-query-servers.js';

// autocannon ends an `amount` run only on its one-second tick, which quantises short runs' rates; a fixed duration does not.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 16;
/** The baseline first: every other server's ratio is to it, round by round. */
const SERVERS: readonly VideoQueryServerName[] = ['same-stack', 'unreel', 'unreel-silent', 'plain-cached'];
const TARGET = 0.9;
const ids = videoIds();

interface Target {
  name: VideoQueryServerName;
  url: string;
  child: ChildProcess;
}

/** Forks the server into a process of its own. */
async function startChild(name: VideoQueryServerName): Promise<Target> {
  const child = fork(fileURLToPath(new URL('./video-query-server.js', import.meta.url)), [name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the ${name} server exited with ${String(code)} before listening`);
    }),
  ])) as [{ url: string }];
  return { name, url: message.url, child };
}

/** Sends the server a command and waits for its answer. */
async function command<Answer>(target: Target, what: ServerCommand): Promise<Answer> {
  const answer = once(target.child, 'message') as Promise<[Answer]>;
  target.child.send(what);
  const [value] = await answer;
  return value;
}

/** A round against one server: requests per second, and the server's CPU time per request (µs). */
async function round(target: Target, seconds: number): Promise<{ rate: number; requests: number; cpuUs: number }> {
  const before = await command<{ cpuUs: number }>(target, 'cpu');
  const { rate, requests } = await load(target.url, seconds);
  const after = await command<{ cpuUs: number }>(target, 'cpu');
  return { rate, requests, cpuUs: (after.cpuUs - before.cpuUs) / requests };
}

async function stopChild(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const exited = once(target.child, 'exit');
  target.child.send('close' satisfies ServerCommand);
  await exited;
}

async function ask(url: string, id: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: VIDEO_QUERY, variables: { id } }),
  });
  return response.json();
}

/** `seconds` of requests over `CONNECTIONS` keep-alive connections, each for the next video id. */
async function load(url: string, seconds: number): Promise<{ rate: number; requests: number }> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ query: VIDEO_QUERY, variables: { id: ids[next++ % ids.length] } }),
        }),
      },
    ],
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return { rate: result.requests.total / seconds, requests: result.requests.total };
}

/**
 * `{ video(id) }` against each server in its own process, with the load from this one: one warm-up, then `ROUNDS`
 * interleaved rounds (the order reversed every other round, so a neighbour's load or a drift falls on every server
 * alike). A ratio is taken within each round, against the same-stack server of that round; printed is their median
 * and spread. Beside requests/s, each server's own CPU time per request: on a machine others load too, throughput
 * swings with whatever else runs, while the CPU a request costs the server moves much less.
 * `BENCH_PROFILE=<dir>` profiles the servers during the rounds and prints where their time went, per request.
 */
export async function runVideoQuery(): Promise<void> {
  const profileRoot = process.env.BENCH_PROFILE
    ? await mkdtemp(join(process.env.BENCH_PROFILE, 'video-query-'))
    : undefined;
  console.log(
    `\n## { video(id) }: unreel vs the same stack at its most minimal, ${SECONDS} s of requests over ${CONNECTIONS} connections, each server in its own process (${ROUNDS} interleaved rounds${profileRoot ? ', profiled' : ''})`,
  );
  const targets: Target[] = [];
  const runs = new Map<VideoQueryServerName, { rate: number; requests: number; cpuUs: number }[]>(
    SERVERS.map((name) => [name, []]),
  );
  const profiles = new Map<VideoQueryServerName, string>();
  try {
    for (const name of SERVERS) targets.push(await startChild(name));
    const sample = ids[42] as string;
    const answers = await Promise.all(targets.map((target) => ask(target.url, sample)));
    if (new Set(answers.map((answer) => JSON.stringify(answer))).size !== 1)
      throw new Error(`the servers disagree: ${JSON.stringify(answers)}`);
    for (const target of targets) await load(target.url, 2);
    if (profileRoot) for (const target of targets) await command(target, 'profile-start');
    for (let index = 0; index < ROUNDS; index += 1) {
      const order = index % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) runs.get(target.name)?.push(await round(target, SECONDS));
    }
    if (profileRoot) {
      for (const target of targets) {
        const path = join(profileRoot, `${target.name}.cpuprofile`);
        await command(target, { profileStop: path });
        profiles.set(target.name, path);
      }
    }
  } finally {
    for (const target of targets) await stopChild(target);
  }
  const baseline = runs.get('same-stack') ?? [];
  console.log(`${''.padEnd(62)} requests/s   ratio, median (rounds min–max)     CPU µs/request   ratio`);
  for (const name of SERVERS) {
    const own = runs.get(name) ?? [];
    // Throughput: higher is better. CPU per request: the baseline's over ours, so higher is better too.
    const rates = own.map(({ rate }, at) => rate / (baseline[at]?.rate ?? Number.NaN));
    const cpus = own.map(({ cpuUs }, at) => (baseline[at]?.cpuUs ?? Number.NaN) / cpuUs);
    const ratio = (values: number[]): string =>
      name === 'same-stack'
        ? 'baseline'
        : `${fmt(median(values), 2)}x (${fmt(Math.min(...values), 2)}–${fmt(Math.max(...values), 2)})`;
    console.log(
      `${LABELS[name].padEnd(62)} ${fmt(median(own.map(({ rate }) => rate))).padStart(10)}   ${ratio(rates).padEnd(
        32,
      )} ${fmt(median(own.map(({ cpuUs }) => cpuUs))).padStart(14)}   ${ratio(cpus)}`,
    );
  }
  console.log(`target: unreel >= ${fmt(TARGET, 2)}x the same stack's requests/s`);
  if (profiles.size > 0) {
    const requests = (name: VideoQueryServerName): number =>
      (runs.get(name) ?? []).reduce((sum, run) => sum + run.requests, 0);
    await printProfiles(profiles, requests);
  }
}

const LABELS: Record<VideoQueryServerName, string> = {
  'same-stack': 'same stack: Apollo 5 + express 5 + @apollo/subgraph',
  unreel: 'unreel (request log at info, metrics, limits, DI, DataLoader)',
  'unreel-silent': 'unreel, log level silent',
  plain: 'plain graphql-js + node:http',
  'plain-cached': 'plain graphql-js + node:http, documents cached',
};

/**
 * Self time per request (µs), by module for every server side by side, then by function: where unreel spends more
 * than the same stack, most first. Sampled, so a few µs either way are noise.
 */
async function printProfiles(
  profiles: Map<VideoQueryServerName, string>,
  requests: (name: VideoQueryServerName) => number,
): Promise<void> {
  const perRequest = new Map<VideoQueryServerName, { modules: Map<string, number>; functions: Map<string, number> }>();
  for (const [name, path] of profiles) {
    const summary = await summariseCpuProfile(path);
    const scale = (entries: { name: string; ms: number }[]) =>
      new Map(entries.map((entry) => [entry.name, (entry.ms * 1000) / requests(name)]));
    perRequest.set(name, { modules: scale(summary.byModule), functions: scale(summary.byFunction) });
    console.log(`profile of ${name}: ${path}`);
  }
  const names = [...perRequest.keys()];
  const us = (value: number | undefined): string => fmt(value ?? 0, 1).padStart(14);
  console.log(
    `\nself time by module, µs per request\n${''.padEnd(32)}${names.map((name) => name.padStart(14)).join('')}`,
  );
  const modules = new Set(names.flatMap((name) => [...(perRequest.get(name)?.modules.keys() ?? [])]));
  const unreel = perRequest.get('unreel');
  const sameStack = perRequest.get('same-stack');
  const byUnreel = (map: 'modules' | 'functions') => (key: string) => unreel?.[map].get(key) ?? 0;
  const moduleCost = byUnreel('modules');
  for (const module of [...modules].sort((a, b) => moduleCost(b) - moduleCost(a)).slice(0, 20)) {
    console.log(
      `${module.slice(0, 31).padEnd(32)}${names.map((name) => us(perRequest.get(name)?.modules.get(module))).join('')}`,
    );
  }
  if (!unreel || !sameStack) return;
  console.log(
    '\nby function: where unreel spends the most more than the same stack, µs per request (unreel, same stack)',
  );
  const extra = [...unreel.functions]
    .map(([name, value]) => ({ name, value, base: sameStack.functions.get(name) ?? 0 }))
    .sort((a, b) => b.value - b.base - (a.value - a.base))
    .slice(0, 30);
  for (const { name, value, base } of extra)
    console.log(`${fmt(value - base, 1).padStart(7)}  (${fmt(value, 1)}, ${fmt(base, 1)})  ${name}`);
}
