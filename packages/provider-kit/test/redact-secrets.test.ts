import { describe, expect, it } from 'vitest';
import { isRedactableSecret, redactSecrets, secretRedactor } from '../src/index.js';

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

describe('secretRedactor', () => {
  it('redacts as redactSecrets does, with the secrets ordered once, longest first', () => {
    const redact = secretRedactor(['abcd', 'abcd-efgh-ijkl', 'abc']);
    expect(redact('token abcd-efgh-ijkl, prefix abcd, word abc')).toBe('token [redacted], prefix [redacted], word abc');
    expect(redact('nothing to hide')).toBe('nothing to hide');
    expect(secretRedactor([])('abcd')).toBe('abcd');
  });
});
