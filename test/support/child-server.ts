import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const unreelBin = fileURLToPath(new URL('../../packages/server/dist/bin/unreel.js', import.meta.url));

export interface ChildServer {
  child: ChildProcess;
  /** Resolves with the URL from the "listening" log line; rejects if the process exits first. */
  listening: Promise<{ url: string; msg: string }>;
  stderr(): string;
  /** Every stdout line so far (the JSON logs). */
  stdout(): string[];
  exited: Promise<number | null>;
}

/**
 * The real `unreel` command in its own process, as an operator runs it (with `args`, such as `--new-journal`): the
 * workspace's build, or `bin` (the command of an installed package) in `baseEnv` (default: this process's).
 */
export function startChildServer(
  env: Record<string, string>,
  cwd: string,
  args: readonly string[] = [],
  { bin = unreelBin, baseEnv = process.env }: { bin?: string; baseEnv?: NodeJS.ProcessEnv } = {},
): ChildServer {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...baseEnv, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<{ url: string; msg: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { url?: string; msg: string };
        if (entry.url) resolve({ url: entry.url, msg: entry.msg });
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`unreel exited with ${code}: ${errors}`)));
  });
  // A test that expects the start to fail never awaits this; the rejection is still observed.
  listening.catch(() => undefined);
  return { child, listening, stderr: () => errors, stdout: () => [...output], exited };
}
