import { describe, expect, it } from 'vitest';
import { ApiKeySet } from '../src/auth/api-key-set.js';
import { readBearerToken } from '../src/auth/bearer-token.js';
import { isLoopbackHost } from '../src/http/loopback.js';
import { OriginPolicy } from '../src/http/origin-policy.js';

describe('ApiKeySet', () => {
  it('finds the owner of a key, and nobody for a near miss', () => {
    const keys = new ApiKeySet<string>();
    keys.add('acme-key-0123456789', 'acme');
    keys.add('beta-key-0123456789', 'beta');
    expect(keys.match('acme-key-0123456789')).toBe('acme');
    expect(keys.match('beta-key-0123456789')).toBe('beta');
    expect(keys.match('acme-key-012345678')).toBeUndefined();
    expect(keys.match('ACME-KEY-0123456789')).toBeUndefined();
    expect(keys.match('')).toBeUndefined();
  });

  it('keeps no key in a form that could be printed or dumped', () => {
    const keys = new ApiKeySet<string>();
    keys.add('acme-key-0123456789', 'acme');
    expect(JSON.stringify(keys)).not.toContain('acme-key');
    expect(Buffer.from(JSON.stringify(keys)).toString('hex')).not.toContain(
      Buffer.from('acme-key-0123456789').toString('hex'),
    );
  });
});

describe('readBearerToken', () => {
  it('reads the key after a Bearer scheme in any case, and nothing else', () => {
    expect(readBearerToken('Bearer abc.def-123')).toBe('abc.def-123');
    expect(readBearerToken('bearer   abc ')).toBe('abc');
    expect(readBearerToken('Basic abc')).toBeUndefined();
    expect(readBearerToken('Bearer')).toBeUndefined();
    expect(readBearerToken('Bearer a b')).toBeUndefined();
    expect(readBearerToken(undefined)).toBeUndefined();
    expect(readBearerToken(['Bearer abc'])).toBeUndefined();
    expect(readBearerToken('abc')).toBeUndefined();
  });

  it('takes a bare key only where allowed (WebSocket connectionParams)', () => {
    expect(readBearerToken('abc', { allowBare: true })).toBe('abc');
    expect(readBearerToken('Bearer abc', { allowBare: true })).toBe('abc');
    expect(readBearerToken('Bearer', { allowBare: true })).toBeUndefined();
    expect(readBearerToken('two words', { allowBare: true })).toBeUndefined();
  });
});

describe('OriginPolicy', () => {
  it('allows non-browser clients, listed origins and the server’s own, nothing else', () => {
    const policy = new OriginPolicy(['https://app.example.com/']);
    expect(policy.allows(undefined, 'api.example.com')).toBe(true);
    expect(policy.allows('https://app.example.com', 'api.example.com')).toBe(true);
    expect(policy.allows('HTTPS://APP.EXAMPLE.COM', 'api.example.com')).toBe(true);
    expect(policy.allows('https://api.example.com', 'api.example.com')).toBe(true);
    expect(policy.allows('https://app.example.com.evil.test', 'api.example.com')).toBe(false);
    expect(policy.allows('http://app.example.com', 'api.example.com')).toBe(false);
    expect(policy.allows('null', 'api.example.com')).toBe(false);
    expect(policy.corsOrigins()).toEqual(['https://app.example.com']);
  });

  it('allows any origin only when told "*", and sends no CORS headers when nothing is listed', () => {
    expect(new OriginPolicy(['*']).allows('https://anything.test', 'api.example.com')).toBe(true);
    expect(new OriginPolicy(['*']).corsOrigins()).toBe(true);
    expect(new OriginPolicy([]).corsOrigins()).toBeUndefined();
    expect(new OriginPolicy([]).allows('https://anything.test', 'api.example.com')).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it('knows which bind addresses stay on this machine', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '128.0.0.1', '::ffff:127.0.0.1x'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
