import { describe, expect, it } from 'vitest';
import { ApiKeySet } from '../src/auth/api-key-set.js';
import { readBearerToken } from '../src/auth/bearer-token.js';
import { isLoopbackHost } from '../src/http/loopback.js';
import { HostPolicy } from '../src/http/host-policy.js';
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
    const policy = new OriginPolicy(['https://app.example.com/'], false);
    expect(policy.allows(undefined, 'api.example.com')).toBe(true);
    expect(policy.allows('https://app.example.com', 'api.example.com')).toBe(true);
    expect(policy.allows('HTTPS://APP.EXAMPLE.COM', 'api.example.com')).toBe(true);
    expect(policy.allows('https://api.example.com', 'api.example.com')).toBe(true);
    expect(policy.allows('https://app.example.com.evil.test', 'api.example.com')).toBe(false);
    expect(policy.allows('http://app.example.com', 'api.example.com')).toBe(false);
    expect(policy.allows('null', 'api.example.com')).toBe(false);
    // With tenants, a page on this machine is a page like any other: listed or refused.
    expect(policy.allows('http://127.0.0.1:5173', 'api.example.com')).toBe(false);
    expect(policy.refusal('http://127.0.0.1:5173')).toBe(
      'Origin http://127.0.0.1:5173 is not allowed: set server.allowedOrigins or UNREEL_ALLOWED_ORIGINS',
    );
  });

  it('allows any origin only when told "*"', () => {
    expect(new OriginPolicy(['*'], false).allows('https://anything.test', 'api.example.com')).toBe(true);
    expect(new OriginPolicy([], false).allows('https://anything.test', 'api.example.com')).toBe(false);
  });

  it('without tenants allows pages on loopback hosts, any port, http or https, and nothing that only looks like one', () => {
    const policy = new OriginPolicy([], true);
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      'http://[::1]:5173',
      'https://localhost',
      'http://127.0.0.2:8080',
      'http://LOCALHOST:3000',
    ])
      expect(policy.allows(origin, '127.0.0.1:4000'), origin).toBe(true);
    for (const origin of [
      'http://localhost.evil.test',
      'http://127.0.0.1.evil.test',
      'http://evil.test',
      'ws://localhost:5173',
      'file://',
      'null',
    ])
      expect(policy.allows(origin, '127.0.0.1:4000'), origin).toBe(false);
    expect(policy.refusal('http://evil.test')).toMatch(/^Origin http:\/\/evil.test is not allowed: pages on localhost/);
  });
});

describe('HostPolicy', () => {
  it('gives the same answer for a Host it has seen, however many others came between', () => {
    const policy = new HostPolicy(['api.example.com'], true);
    for (let round = 0; round < 3; round += 1) {
      expect(policy.allows('api.example.com')).toBe(true);
      expect(policy.allows('evil.example')).toBe(false);
      // More names than the policy remembers: the answers above are decided again, alike.
      for (let other = 0; other < 300; other += 1) expect(policy.allows(`other-${other}.example`)).toBe(false);
    }
  });

  it('serves loopback names on any port and the listed names, and refuses every other Host', () => {
    const policy = new HostPolicy(['api.example.com', '.apps.example.net', '[2001:DB8:0::1]'], true);
    for (const host of [
      'localhost:4000',
      'LOCALHOST',
      'localhost.:4000',
      '127.0.0.1:4000',
      '127.0.0.1',
      '[::1]:4000',
      'api.example.com',
      'API.example.com:443',
      'apps.example.net',
      'a.apps.example.net:8443',
      '[2001:db8::1]:4000',
      undefined,
    ])
      expect(policy.allows(host), String(host)).toBe(true);
    for (const host of [
      'evil.example:4000',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'api.example.com.evil.test',
      'xapps.example.net',
      'user@localhost',
      'localhost/x',
      '',
    ])
      expect(policy.allows(host), host).toBe(false);
  });

  it('serves every Host when not enforced (tenants, no server.allowedHosts)', () => {
    expect(new HostPolicy([], false).allows('evil.example:4000')).toBe(true);
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
