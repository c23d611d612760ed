import { readFileSync } from 'node:fs';
import { buildSchema, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as client from '../src/index.js';
import { UnreelClientError } from '../src/client-error.js';
import { newOperationId } from '../src/operation-id.js';
import { resolveRetryOptions, retryDelay } from '../src/retry-policy.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newOperationId', () => {
  it('uses crypto.randomUUID where there is one', () => {
    expect(newOperationId({ randomUUID: () => 'from-random-uuid' })).toBe('from-random-uuid');
  });

  it('builds a v4 UUID from getRandomValues outside a secure context (no randomUUID)', () => {
    const insecure = { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) };
    const ids = new Set(Array.from({ length: 200 }, () => newOperationId(insecure)));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    // The version and variant bits are set whatever the random bytes were.
    const zeros = { getRandomValues: (array: Uint8Array): Uint8Array => array };
    expect(newOperationId(zeros)).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('says what to do where there is no randomness at all', () => {
    expect(() => newOperationId({})).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', field: 'operationId' }));
  });
});

describe('retry policy', () => {
  const options = resolveRetryOptions({ initialDelayMs: 100, maxDelayMs: 1_000, factor: 2 });

  it('grows by factor up to the cap, each delay between half and all of its ceiling', () => {
    expect([1, 2, 3, 4, 5, 9].map((attempt) => retryDelay(attempt, options, () => 1))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect([1, 2, 5].map((attempt) => retryDelay(attempt, options, () => 0))).toEqual([50, 100, 500]);
  });

  it('defaults to retrying for ever, and names an option out of range', () => {
    expect(resolveRetryOptions(undefined)).toEqual({
      initialDelayMs: 250,
      maxDelayMs: 10_000,
      factor: 2,
      maxAttempts: Infinity,
    });
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', field: 'retry.maxAttempts' }),
    );
    expect(() => resolveRetryOptions({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(/retry.maxDelayMs/);
  });
});

describe('UnreelClientError', () => {
  it('is recognised across copies of the package by its Symbol.for marker, not by instanceof', () => {
    const error = new UnreelClientError('NETWORK', 'down', { retryable: true, closeCode: 1006 });
    const foreign = Object.assign(new Error('down'), { [Symbol.for('unreel.client-error')]: true });
    expect(UnreelClientError.isInstance(error)).toBe(true);
    expect(UnreelClientError.isInstance(foreign)).toBe(true);
    expect(UnreelClientError.isInstance(new Error('down'))).toBe(false);
    expect(error.withOperationId('op-9')).toMatchObject({ code: 'NETWORK', closeCode: 1006, operationId: 'op-9' });
  });
});

describe('the shipped schema.graphql', () => {
  const sdl = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');

  it('is the public API without federation internals', () => {
    for (const internal of ['_service', '_entities', '_Any', '@link', '@key', 'federation__'])
      expect(sdl).not.toContain(internal);
  });

  it('validates every document the package exports, so a frontend can run codegen on it', () => {
    const schema = buildSchema(sdl);
    const documents = Object.entries(client).filter(([name]) => name.endsWith('Document'));
    expect(documents.length).toBeGreaterThanOrEqual(7);
    for (const [name, document] of documents)
      expect({ name, errors: validate(schema, document as Parameters<typeof validate>[1]) }).toEqual({
        name,
        errors: [],
      });
  });
});
