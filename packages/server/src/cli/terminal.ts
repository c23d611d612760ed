/** Where a command writes: process.stdout and process.stderr, or a test's. */
export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** How a command prints: `--json` lines, or lines for people (with a progress bar where stderr is a terminal). */
export class Printer {
  constructor(
    readonly terminal: Terminal,
    readonly json: boolean,
  ) {}

  /** A result line on stdout: an object as one JSON line with `--json`, else the text. */
  out(text: string, object: object): void {
    this.terminal.stdout.write(this.json ? `${JSON.stringify(object)}\n` : `${text}\n`);
  }

  /** A note for the person at the terminal (reconnecting, how to resume): stderr, never in the JSON stream. */
  note(text: string): void {
    this.terminal.stderr.write(`${text}\n`);
  }
}
