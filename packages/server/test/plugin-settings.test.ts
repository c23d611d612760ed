import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// Compiled output, as everywhere else: type-graphql needs the decorator metadata only tsc emits.
import { createUnreelServer } from '../dist/index.js';

// Loaded by path, as an operator may: Elytron's settings are strict, so a misspelt key is two issues.
const elytron = fileURLToPath(new URL('../../../plugins/elytron', import.meta.url));

describe("an account's plugin settings", () => {
  it('are refused with every issue and its path, not only the first', async () => {
    const start = createUnreelServer({
      port: 0,
      logLevel: 'silent',
      config: {
        journal: { driver: 'memory' },
        accounts: [{ name: 'ely', plugin: elytron, settings: { apiKy: 'ely_live_key', timeoutMs: -1 } }],
      },
    });
    const error = await start.then(
      (server) => server.close().then(() => expect.fail('the server should not have started')),
      (reason: unknown) => reason as Error,
    );
    expect(error.message).toContain('accounts[0] "ely": ');
    // The key it meant, reported missing; the key given, reported unrecognised; and the other field's own issue.
    expect(error.message).toMatch(
      /settings\.apiKey: [^;]+; settings\.timeoutMs: [^;]+; settings: Unrecognized key: "apiKy"/,
    );
    expect(error.message).toContain('(plugin elytron)');
    // The value given for the misspelt key is a credential: named, never shown.
    expect(error.message).not.toContain('ely_live_key');
  });
});
