import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the command, for the figures a test prints (never asserted). */
  ms: number;
}

/**
 * The environment of a command run as a third party would run it: without what pnpm and vitest put into ours
 * (`npm_config_*` settings of the workspace, `VITEST`, `NODE_ENV=test`), which would otherwise leak into an npm
 * install or a nested vitest.
 */
export function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_|pnpm_|vitest|__vitest)/i.test(key) && !['NODE_ENV', 'NODE_OPTIONS', 'TEST'].includes(key),
    ),
  );
  return { ...env, ...extra };
}

/** Runs a command to its end; a failure is data (`code`), for the test to show with the command's output. */
export function run(command: string, args: readonly string[], cwd: string, env = outsideEnv()): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** The command's output, for an assertion message that says why it failed. */
export function transcript(result: CommandResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-4_000)}\n--- stderr\n${result.stderr.slice(-4_000)}`;
}

/** A long-running command and its first stdout line (a simulator's `{ url, credentials, videoIds }`). */
export function startWithFirstLine(
  command: string,
  args: readonly string[],
  cwd: string,
  env = outsideEnv(),
): { child: ChildProcess; firstLine: Promise<string> } {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before printing: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  return { child, firstLine };
}

/** What a nested `vitest run --reporter=json` counted. */
export interface VitestCounts {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}
