import { describe, expect, it } from 'vitest';
import { itemFailure, scrubMessage } from '../src/index.js';

describe('scrubMessage', () => {
  it('redacts secrets, then caps the length at 300 characters', () => {
    expect(scrubMessage('refused key sk_live_1234', ['sk_live_1234'])).toBe('refused key [redacted]');
    const long = scrubMessage(`${'x'.repeat(295)} sk_live_1234 ${'y'.repeat(100)}`, ['sk_live_1234']);
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
    // Redacted before it is cut, so no prefix of the secret survives at the edge.
    expect(long).not.toContain('sk_');
  });
});

describe('itemFailure', () => {
  it('is a FAILED outcome, not retryable unless told, with a scrubbed message', () => {
    expect(itemFailure('FORBIDDEN', 'the provider said: bad key sk_live_1234', { secrets: ['sk_live_1234'] })).toEqual({
      status: 'FAILED',
      error: { code: 'FORBIDDEN', message: 'the provider said: bad key [redacted]', retryable: false },
    });
    expect(itemFailure('TOO_RECENT', 'wait', { retryable: true, retryAfterMs: 1_500 })).toEqual({
      status: 'FAILED',
      error: { code: 'TOO_RECENT', message: 'wait', retryable: true, retryAfterMs: 1_500 },
    });
    expect(itemFailure('IN_PROCESSING', 'z'.repeat(400)).error.message).toHaveLength(300);
  });
});
