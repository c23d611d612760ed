import { describe, expect, it } from 'vitest';
import { basicAuthorization, createSecretRedactor, isRedactableSecret, redactSecrets } from '../src/index.js';

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

describe('redactSecrets: encoded forms', () => {
  const secret = 'sk_live/Ab+cd?e f~9';

  it('finds a secret base64-encoded, standard and url-safe, padded or not', () => {
    const standard = Buffer.from(secret).toString('base64');
    const urlSafe = Buffer.from(secret).toString('base64url');
    expect(standard).not.toBe(urlSafe);
    expect(redactSecrets(`token ${standard} end`, [secret])).toBe('token [redacted] end');
    expect(redactSecrets(`token ${urlSafe}.`, [secret])).toBe('token [redacted].');
  });

  it('finds it inside a Basic pair built by basicAuthorization, on either side of the colon, whole header value gone', () => {
    const asPassword = basicAuthorization('key-id-1234', secret);
    const asUser = basicAuthorization(secret, '');
    const inMiddle = `Basic ${Buffer.from(`x${secret}:`).toString('base64')}`;
    for (const header of [asPassword, asUser, inMiddle]) {
      expect(redactSecrets(`authorization: ${header}; next`, [secret])).toBe('authorization: Basic [redacted]; next');
    }
  });

  it('finds it percent-encoded, as encodeURIComponent, RFC 3986, lower-case hex and form encoding write it', () => {
    const forms = [
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`),
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      new URLSearchParams({ k: secret }).toString().slice(2),
    ];
    for (const form of forms) expect(redactSecrets(`GET /x?k=${form}&y=1`, [secret])).toBe('GET /x?k=[redacted]&y=1');
  });

  it('redacts the union where a secret and another overlap, so neither is left in part', () => {
    expect(redactSecrets('a zzabcdef b', ['abcdef', 'zzabc'])).toBe('a [redacted] b');
  });

  it('leaves text without any form of a secret as it was', () => {
    const redactor = createSecretRedactor([secret, 'another-secret-value']);
    const line = 'GET /videos/abc 200 in 12 ms, Basic auth as key-id-1234';
    expect(redactor.redact(line)).toBe(line);
    expect(redactor.exposes(line)).toBe(false);
    expect(redactor.exposes(Buffer.from(`u:${secret}`).toString('base64'))).toBe(true);
  });
});
