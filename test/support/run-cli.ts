import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const unreelBin = fileURLToPath(new URL('../../packages/server/dist/bin/unreel.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** stdout's complete lines parsed as JSON (for `--json` runs). */
  json(): Record<string, unknown>[];
  exited: Promise<number | null>;
}

/**
 * The `unreel` command as a user runs it from a script: its own process, stdout and stderr piped (so never a
 * terminal), `input` on stdin (or stdin closed). UNREEL_URL and UNREEL_API_KEY come only from `env`.
 */
export function startCli(
  args: readonly string[],
  { env = {}, input }: { env?: Record<string, string>; input?: string } = {},
): CliRun {
  const { UNREEL_URL: _url, UNREEL_API_KEY: _key, ...baseEnv } = process.env;
  const child = spawn(process.execPath, [unreelBin, ...args], {
    env: { ...baseEnv, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin?.end(input);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const json = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, stdout: () => out, stderr: () => err, json, exited };
}

/** Runs `unreel` to its end: the exit code and what it wrote. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; json: Record<string, unknown>[] }> {
  const run = startCli(args, options);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr(), json: code === null ? [] : safeJson(run) };
}

function safeJson(run: CliRun): Record<string, unknown>[] {
  try {
    return run.json();
  } catch {
    return [];
  }
}

/** Resolves once `condition` holds, checking every 25 ms; rejects with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
