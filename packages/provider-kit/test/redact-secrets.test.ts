import { describe, expect, it } from 'vitest';
import { UnauthorizedError, UnreelProviderError } from '@unreel/provider-spec';
import { isRedactableSecret, redactErrorChain, redactSecrets } from '../src/index.js';

describe('redactSecrets', () => {
  it('removes every occurrence of each secret', () => {
    expect(redactSecrets('key abcd1234 and abcd1234 again', ['abcd1234'])).toBe('key [redacted] and [redacted] again');
    expect(redactSecrets('id key-one, secret key-two', new Set(['key-one', 'key-two']))).toBe(
      'id [redacted], secret [redacted]',
    );
  });

  it('leaves values shorter than 4 characters alone, so ordinary words survive', () => {
    expect(redactSecrets('short a b abc', ['a', 'abc'])).toBe('short a b abc');
    expect(redactSecrets('pin 1234', ['1234'])).toBe('pin [redacted]');
    expect(isRedactableSecret('abc')).toBe(false);
    expect(isRedactableSecret('abcd')).toBe(true);
  });

  it('redacts the longer of two overlapping secrets whole, whatever order they come in', () => {
    const text = 'token abcd-efgh-ijkl, prefix abcd';
    expect(redactSecrets(text, ['abcd', 'abcd-efgh-ijkl'])).toBe('token [redacted], prefix [redacted]');
    expect(redactSecrets(text, ['abcd-efgh-ijkl', 'abcd'])).toBe('token [redacted], prefix [redacted]');
  });

  it('gives the text back unchanged without secrets', () => {
    expect(redactSecrets('nothing to hide', [])).toBe('nothing to hide');
  });
});

describe('redactErrorChain', () => {
  it('rewrites the message and stack of the error and its causes in place, keeping its class', () => {
    const cause = new Error('transport failed for token tok_0123456789');
    const error = new UnauthorizedError({ message: 'key sk_live_1234 refused', cause });
    const redacted = redactErrorChain(error, ['sk_live_1234', 'tok_0123456789']);

    expect(redacted).toBe(error);
    expect(UnreelProviderError.isInstance(redacted)).toBe(true);
    expect(redacted.code).toBe('UNAUTHORIZED');
    expect(redacted.message).toBe('key [redacted] refused');
    expect(redacted.stack).not.toContain('sk_live_1234');
    expect(cause.message).toBe('transport failed for token [redacted]');
    expect(cause.stack).not.toContain('tok_0123456789');
  });

  it('reads secrets given once, so a generator serves every level of the chain', () => {
    const error = new Error('outer sk_live_1234', { cause: new Error('inner sk_live_1234') });
    function* secrets(): Generator<string> {
      yield 'sk_live_1234';
    }
    redactErrorChain(error, secrets());
    expect(error.message).toBe('outer [redacted]');
    expect((error.cause as Error).message).toBe('inner [redacted]');
  });

  it('ends on a cause cycle and leaves what is not an error as it is', () => {
    const error = new Error('loop sk_live_1234');
    error.cause = error;
    expect(redactErrorChain(error, ['sk_live_1234']).message).toBe('loop [redacted]');
    expect(redactErrorChain('plain sk_live_1234', ['sk_live_1234'])).toBe('plain sk_live_1234');
  });
});
