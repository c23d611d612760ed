import { describe, expect, it } from 'vitest';
import {
  RateLimitedError,
  TimeoutError,
  UnauthorizedError,
  UnreelProviderError,
  isAmbiguousFailure,
} from '@unreel/provider-spec';
import { basicAuthorization, redactProviderError } from '../src/index.js';

const KEY = 'sk_live_1234';
const TOKEN = 'tok_0123456789';

describe('redactProviderError', () => {
  it('copies a provider error without its secrets, keeping what the engine reads, and leaves the original alone', () => {
    const cause = Object.freeze(new Error(`transport failed for token ${TOKEN}`));
    const error = Object.freeze(
      new RateLimitedError({ message: `key ${KEY} throttled`, retryAfterMs: 1_500, status: 429, cause }),
    );
    const copy = redactProviderError(error, [KEY, TOKEN], 'acme');

    expect(copy).not.toBe(error);
    expect(RateLimitedError.isInstance(copy)).toBe(true);
    expect(copy).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 1_500, status: 429 });
    expect(copy.message).toBe('key [redacted] throttled');
    expect(copy.stack).toContain('key [redacted] throttled');
    expect(copy.stack).not.toContain(KEY);
    expect((copy.cause as Error).message).toBe('transport failed for token [redacted]');
    expect((copy.cause as Error).stack).not.toContain(TOKEN);
    // Frozen, and still as it was: nothing was written to it or to its cause.
    expect(error.message).toBe(`key ${KEY} throttled`);
    expect(cause.message).toContain(TOKEN);
  });

  it("makes a library's DOMException, whose message cannot be set, a retryable TIMEOUT", () => {
    const thrown = new DOMException(`aborted while sending ${KEY}`, 'TimeoutError');
    const copy = redactProviderError(thrown, [KEY], 'acme');
    expect(TimeoutError.isInstance(copy)).toBe(true);
    expect(copy).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(isAmbiguousFailure(copy)).toBe(true);
    expect(copy.message).toBe('acme did not answer in time (the plugin threw a TimeoutError)');
    expect((copy.cause as Error).message).toBe('aborted while sending [redacted]');
    expect(thrown.message).toContain(KEY);
  });

  it('makes anything else a plugin throws an ambiguous, retryable PROVIDER_ERROR: its effect is unknown', () => {
    const copy = redactProviderError(new TypeError(`terminated, key ${KEY}`), [KEY], 'acme');
    expect(UnreelProviderError.isInstance(copy)).toBe(true);
    expect(copy).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    expect(isAmbiguousFailure(copy)).toBe(true);
    // What the plugin said is in the message, redacted, so the item error says why; the cause keeps it for the log.
    expect(copy.message).toBe('acme plugin failed unexpectedly (TypeError: terminated, key [redacted])');
    expect(copy.cause).toMatchObject({ name: 'TypeError', message: 'terminated, key [redacted]' });
    expect((copy.cause as Error).stack).not.toContain(KEY);

    const text = redactProviderError(`plain ${KEY}`, [KEY], 'acme');
    expect(text.message).toBe('acme plugin failed unexpectedly (string: plain [redacted])');
    expect((text.cause as Error).message).toBe('plain [redacted]');
  });

  it("keeps a plain Error's message free of encoded credentials and signed queries, on one line", () => {
    const header = basicAuthorization('key-id', KEY);
    const thrown = new Error(
      `request failed: status 500, authorization ${header}, url https://api.test/v?Signature=abc%2B&Token=${TOKEN}\nat frame`,
    );
    const copy = redactProviderError(thrown, [KEY, TOKEN], 'acme');
    expect(copy.message).toBe(
      'acme plugin failed unexpectedly (Error: request failed: status 500, authorization Basic [redacted], url https://api.test/v?[query removed])',
    );
    expect(isAmbiguousFailure(copy)).toBe(true);
  });

  it('ends on a cause cycle, and keeps a refusal a refusal', () => {
    const error = new UnauthorizedError({ message: `bad key ${KEY}` });
    const loop = new Error(`loop ${KEY}`);
    loop.cause = loop;
    Object.defineProperty(error, 'cause', { value: loop });
    const copy = redactProviderError(error, [KEY], 'acme');
    expect(copy).toMatchObject({ code: 'UNAUTHORIZED', retryable: false, message: 'bad key [redacted]' });
    let depth = 0;
    for (let cause: unknown = copy.cause; cause instanceof Error; cause = cause.cause) {
      expect(cause.message).toBe('loop [redacted]');
      depth += 1;
    }
    expect(depth).toBe(5);
  });
});
