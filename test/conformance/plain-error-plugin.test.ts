import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The suite run on a plugin that throws plain Errors, in a vitest of its own (the suite is meant to fail there): it
// must fail exactly the cases a plain Error breaks, and each failure must say what to throw instead.

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = path.join(root, 'test/fixtures/plain-error-plugin');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const folder = mkdtempSync(path.join(tmpdir(), 'unreel-plain-error-'));

afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface JsonReport {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

function runFixtureSuite(): Promise<JsonReport> {
  const report = path.join(folder, 'report.json');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [vitest, 'run', '--config', path.join(fixture, 'vitest.config.ts'), '--reporter=json', `--outputFile=${report}`],
      { cwd: fixture, env: { ...process.env, NO_COLOR: '1' } },
      // It exits 1 because its tests fail, which is the point; the report says which.
      () => {
        try {
          resolve(JSON.parse(readFileSync(report, 'utf8')) as JsonReport);
        } catch (error) {
          reject(error as Error);
        }
      },
    );
  });
}

describe('the conformance suite on a plugin that throws plain Errors', () => {
  it('fails every case a plain Error breaks, saying what to throw instead, and passes the rest', async () => {
    const results = (await runFixtureSuite()).testResults.flatMap((file) => file.assertionResults);
    const failed = results.filter((result) => result.status === 'failed');
    const names = failed.map((result) => result.fullName);
    for (const expected of [
      /doDeleteVideos throws a retryable RATE_LIMITED when throttled/,
      /doDeleteVideos throws a retryable PROVIDER_ERROR on a 5xx/,
      /doDeleteVideos throws UNAUTHORIZED/,
      /doGetVideos: failures throws a retryable RATE_LIMITED/,
      /doListVideos: failures throws a retryable INVALID_RESPONSE/,
    ]) {
      expect(
        names.some((name) => expected.test(name)),
        `${expected} should fail`,
      ).toBe(true);
    }
    for (const result of failed) {
      const message = result.failureMessages.join('\n');
      expect(message, result.fullName).toContain('not an UnreelProviderError');
      expect(message, result.fullName).toContain('Throw an error class of @unreel/provider-spec instead');
    }
    // What a plain Error does not touch still passes: the suite fails the plugin for its errors, not wholesale.
    expect(results.find((result) => result.fullName.endsWith('deletes one video'))?.status).toBe('passed');
  });
});
