import { createSecretRedactor, redactSecrets } from '@unreel/provider-kit';
import { fmt, median } from './measure.js';

/** Ten credentials, as a server with ten accounts holds them; a few with characters that get percent-encoded. */
const SECRETS = Array.from(
  { length: 10 },
  (_, index) => `sk_live_${index}_${'AbCdEfGhIj'.repeat(3)}${index % 3 ? '/+=' : ''}`,
);
/** A request log line as pino writes it, with no secret in it: nearly every line the server writes. */
const CLEAN = JSON.stringify({
  level: 30,
  time: 1_764_000_000_000,
  msg: 'graphql request',
  tenant: 'acme',
  account: 'vod',
  operation: 'deleteVideos',
  durationMs: 12,
  path: '/videos/vi4blUQJFrYWbaG44NChkH27',
  detail: 'x'.repeat(300),
});
/** The same line with what a careless plugin put in it: a Basic header of one of the credentials. */
const LEAKY = `${CLEAN} authorization: Basic ${Buffer.from(`key-id:${SECRETS[3]}`).toString('base64')}`;
const LINES = 200_000;
const ROUNDS = 5;

/** What redaction did before encoded forms: raw values only, sorted longest first on every call. */
function rawOnly(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  return result;
}

function nsPerLine(redact: (text: string) => string, text: string): number {
  const rounds: number[] = [];
  for (let round = 0; round <= ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    for (let line = 0; line < LINES; line += 1) redact(text);
    // The first round warms up and is not counted.
    if (round > 0) rounds.push(Number(process.hrtime.bigint() - started) / LINES);
  }
  return median(rounds);
}

export async function runRedaction(): Promise<void> {
  const compiled = createSecretRedactor(SECRETS);
  const secretSet = new Set(SECRETS);
  console.log(`\nredaction: ${SECRETS.length} secrets, ${fmt(LINES)} lines a round, median of ${ROUNDS} rounds`);
  for (const [label, text] of [
    ['clean line', CLEAN],
    ['line with a Basic header', LEAKY],
  ] as const) {
    const before = nsPerLine((line) => rawOnly(line, secretSet), text);
    const registry = nsPerLine((line) => compiled.redact(line), text);
    const cached = nsPerLine((line) => redactSecrets(line, SECRETS), text);
    console.log(
      `  ${label}: raw-only (before) ${fmt(before)} ns, compiled redactor ${fmt(registry)} ns (${fmt(registry / before, 2)}×), ` +
        `redactSecrets with a plugin's array ${fmt(cached)} ns (${fmt(cached / before, 2)}×)`,
    );
  }
  const caught = compiled.redact(LEAKY).endsWith('authorization: Basic [redacted]');
  console.log(`  the Basic header: raw-only leaves it, the redactor ${caught ? 'redacts it' : 'LEAVES IT'}`);
}
