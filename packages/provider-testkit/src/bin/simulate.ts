#!/usr/bin/env node
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { SimulatorModule, StartSimulatorOptions } from '@unreel/provider-kit/simulator';

const usage = 'usage: pnpm simulate <plugin id | package | path> [--port N] [--host H] [--seed N] [--videos N]';

/**
 * Starts one provider simulator and prints ONE JSON line, `{ url, credentials, videoIds }`, so any client (ours or
 * the provider's official SDK) can be pointed at it; then serves until SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      videos: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const [target] = positionals;
  if (!target || positionals.length > 1) fail(usage);
  const options: StartSimulatorOptions = {
    ...(values.port === undefined ? {} : { port: integer('--port', values.port, 0, 65_535) }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.seed === undefined ? {} : { seed: integer('--seed', values.seed, 0, 2 ** 31) }),
    ...(values.videos === undefined ? {} : { videoCount: integer('--videos', values.videos, 0, 1_000_000) }),
  };
  const module = await loadSimulator(target);
  const simulator = await module.startSimulator(options);
  process.stdout.write(
    `${JSON.stringify({ url: simulator.url, credentials: simulator.credentials, videoIds: simulator.videoIds })}\n`,
  );
  const stop = (): void => {
    void simulator.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * `omegastream` means `@unreel/plugin-omegastream/simulator`; a package name (`@acme/unreel-plugin-x`,
 * `unreel-plugin-x`) means its `./simulator` entry; a path names the simulator module itself.
 */
async function loadSimulator(target: string): Promise<SimulatorModule> {
  const specifier =
    target.startsWith('.') || path.isAbsolute(target)
      ? pathToFileURL(path.resolve(target)).href
      : resolveFromCwd(target);
  let loaded: Partial<SimulatorModule>;
  try {
    loaded = (await import(specifier)) as Partial<SimulatorModule>;
  } catch (error) {
    fail(`cannot load the simulator of "${target}": ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof loaded.startSimulator !== 'function')
    fail(`"${target}" has no startSimulator export: it ships no simulator`);
  return loaded as SimulatorModule;
}

function resolveFromCwd(target: string): string {
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  const candidates = target.startsWith('@')
    ? [`${target}/simulator`]
    : [`@unreel/plugin-${target}/simulator`, `${target}/simulator`];
  for (const candidate of candidates) {
    try {
      return pathToFileURL(require.resolve(candidate)).href;
    } catch {
      // try the next reading of the name
    }
  }
  fail(
    `cannot find ${candidates.map((candidate) => `"${candidate}"`).join(' or ')} from ${process.cwd()}: is the plugin installed and built, and does it ship a simulator?`,
  );
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

await main();
