import 'reflect-metadata';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { inject, injectable } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import type { DeletionEngine } from '@unreel/core';
import type { TenantDirectory } from '../src/auth/tenant-directory.js';
import type { UnreelConfig } from '../src/config/config-schema.js';
import { RequestScopes, scopeOf } from '../src/di/request-scopes.js';
import { LOGGER, SIGNAL, TENANT } from '../src/di/tokens.js';

/** What a resolver of the request gets injected; decorated by hand, as the test files are not compiled with decorators. */
class Holder {
  constructor(
    readonly tenant: string,
    readonly signal: AbortSignal,
    readonly logger: pino.Logger,
  ) {}
}
inject(TENANT)(Holder, undefined, 0);
inject(SIGNAL)(Holder, undefined, 1);
inject(LOGGER)(Holder, undefined, 2);
injectable()(Holder);

function scopes(lines: Record<string, unknown>[]): RequestScopes {
  const logger = pino(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  return new RequestScopes({
    engine: {} as DeletionEngine,
    config: {} as UnreelConfig,
    tenants: { accountsOf: () => ({}) } as unknown as TenantDirectory,
    logger,
  });
}

describe('RequestScopes', () => {
  it('makes the logger and the signal a request asks for when it asks, and aborts that signal on dispose', async () => {
    const lines: Record<string, unknown>[] = [];
    const scope = scopes(lines).open('acme', 'request-1');
    const first = scope.context.resolve(Holder);
    const second = scope.context.resolve(Holder);
    expect(first.tenant).toBe('acme');
    // One signal and one logger for the whole request, whoever asks.
    expect(second.signal).toBe(first.signal);
    expect(second.logger).toBe(first.logger);
    expect(scope.context.logger).toBe(first.logger);
    first.logger.info('from a resolver');
    expect(lines).toEqual([
      expect.objectContaining({ requestId: 'request-1', tenant: 'acme', msg: 'from a resolver' }),
    ]);
    expect(first.signal.aborted).toBe(false);
    await scope.dispose();
    expect(first.signal.aborted).toBe(true);
  });

  it('disposes a request that never asked for a signal or a logger', async () => {
    const lines: Record<string, unknown>[] = [];
    const scope = scopes(lines).open('acme', 'request-2');
    await expect(scope.dispose()).resolves.toBeUndefined();
    expect(() => scope.context.resolve(Holder)).toThrow(/disposed/);
    expect(lines).toEqual([]);
  });

  it('keeps to one scope in the copies Apollo makes of a context, making nothing by copying', () => {
    const scope = scopes([]).open('acme', 'request-3');
    // Apollo's cloneObject: the own properties, onto an object of the same prototype.
    const copy = Object.assign(
      Object.create(Object.getPrototypeOf(scope.context) as object),
      scope.context,
    ) as typeof scope.context;
    expect(Object.keys(scope.context)).toEqual(['scope']);
    expect(scopeOf(copy)).toBe(scope);
    expect(copy.logger).toBe(scope.context.logger);
    expect(copy.resolve(Holder).signal).toBe(scope.context.resolve(Holder).signal);
  });

  it("writes a request's line as its logger would, making that logger only when something else asked for it", async () => {
    const lines: Record<string, unknown>[] = [];
    const made = scopes(lines);
    const quiet = made.open('acme', 'request-4');
    quiet.context.info({ transport: 'http', status: 200 }, 'graphql request');
    const asked = made.open('acme', 'request-5');
    const logger = asked.context.logger;
    asked.context.info({ transport: 'http', status: 200 }, 'graphql request');
    logger.info({ transport: 'http', status: 200 }, 'graphql request');
    // The same fields in the same order, whichever logger wrote the line.
    const shape = (line: Record<string, unknown>) => Object.entries(line).filter(([key]) => key !== 'time');
    const line = (requestId: string) => [
      ['level', 30],
      ['pid', process.pid],
      ['hostname', expect.any(String)],
      ['requestId', requestId],
      ['tenant', 'acme'],
      ['transport', 'http'],
      ['status', 200],
      ['msg', 'graphql request'],
    ];
    expect(lines.map(shape)).toEqual([line('request-4'), line('request-5'), line('request-5')]);
    await Promise.all([quiet.dispose(), asked.dispose()]);
  });
});
