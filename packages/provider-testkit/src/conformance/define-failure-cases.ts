import { describe, expect, it, type TestContext } from 'vitest';
import type { UnreelProviderError, VideoProviderV1 } from '@unreel/provider-spec';
import type { ConformanceSimulator } from '@unreel/provider-kit/simulator';
import type { FaultProxy } from '../fault-proxy/index.js';
import { callOptions } from './call-options.js';
import { methodCalls } from './method-calls.js';
import { providerRejection } from './provider-rejection.js';

/** What the failure cases read of the running suite, once its `beforeAll` has run. */
export interface FailureCaseState {
  simulator(): ConformanceSimulator;
  provider(): VideoProviderV1;
  /** A provider whose settings point at a fault proxy in front of the simulator; absent without one. */
  proxied(): { provider: VideoProviderV1; proxy: FaultProxy } | undefined;
  throttleSaysWhen: boolean;
  /** Fails the test when the error shows a credential, in any form. */
  expectNoSecret(error: Error): void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

const settle = (promise: Promise<unknown>): Promise<Settled> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

/**
 * For every method the plugin implements: a throttled answer, a 5xx, a call the host times out while the answer is
 * held back, and a 200 whose body is garbage. Each must fail as the host expects (a retryable provider error of the
 * right code, never a plain Error), and the next call must then work. Methods the plugin does not implement, and the
 * proxy cases for a simulator without a URL, show as skipped.
 */
export function defineFailureCases(state: FailureCaseState): void {
  for (const method of methodCalls) {
    describe(`${method.name}: failures`, () => {
      const skipUnimplemented = (context: TestContext): void => {
        if (!method.implemented(state.provider())) context.skip(`the provider has no ${method.name}`);
      };

      // doDeleteVideos has its own throttle and 5xx cases above (with what the simulator must still hold).
      if (method.name !== 'doDeleteVideos') {
        it('throws a retryable RATE_LIMITED when throttled, and works when called again', async (context) => {
          skipUnimplemented(context);
          const target = await method.prepare(state.simulator(), state.provider());
          state.simulator().failNext('throttle', 1);
          const error = await providerRejection(method.call(state.provider(), target, callOptions({ attempt: 1 })));
          expect(error.code).toBe('RATE_LIMITED');
          expect(error.retryable).toBe(true);
          if (state.throttleSaysWhen) expect(error.retryAfterMs, 'the provider said when').toBeTypeOf('number');
          state.expectNoSecret(error);
          const again = await method.call(state.provider(), target, callOptions({ attempt: 2 }));
          method.check(again, target, state.simulator(), { afterAmbiguous: false });
        });

        it('throws a retryable PROVIDER_ERROR on a 5xx (or retries the read itself), and works when called again', async (context) => {
          skipUnimplemented(context);
          const target = await method.prepare(state.simulator(), state.provider());
          state.simulator().failNext('server-error', 1);
          const first = await settle(method.call(state.provider(), target, callOptions({ attempt: 1 })));
          if (first.ok && method.mayRetryReads) {
            // The plugin's client retried the read, as a read may be: the fault was spent on its first try.
            method.check(first.value, target, state.simulator(), { afterAmbiguous: false });
            return;
          }
          const error = await expectProviderError(first);
          expect(error.code).toBe('PROVIDER_ERROR');
          expect(error.retryable).toBe(true);
          state.expectNoSecret(error);
          const again = await method.call(state.provider(), target, callOptions({ attempt: 2 }));
          method.check(again, target, state.simulator(), { afterAmbiguous: false });
        });
      }

      it('throws a retryable TIMEOUT when the host times the call out, and works when called again', async (context) => {
        skipUnimplemented(context);
        const proxied = proxiedOrSkip(state, context);
        const target = await method.prepare(state.simulator(), state.provider());
        // The answer is held back after the provider acted, until the host has given up on it: no timer to race.
        proxied.proxy.add({ times: 1, fault: { kind: 'hold' } });
        const host = new AbortController();
        const pending = settle(method.call(proxied.provider, target, callOptions({ signal: host.signal })));
        const first = await Promise.race([proxied.proxy.held().then(() => 'held'), pending.then(() => 'settled')]);
        expect(first, 'the call should send its request to the URL its settings name').toBe('held');
        host.abort(new DOMException('The host timed the call out', 'TimeoutError'));
        const error = await expectProviderError(await pending);
        expect(error.code).toBe('TIMEOUT');
        expect(error.retryable).toBe(true);
        state.expectNoSecret(error);
        proxied.proxy.release();
        await proxied.proxy.idle();
        const again = await method.call(proxied.provider, target, callOptions({ attempt: 2 }));
        method.check(again, target, state.simulator(), { afterAmbiguous: true });
      });

      it('throws a retryable INVALID_RESPONSE for a 200 whose body it cannot read, and works when called again', async (context) => {
        skipUnimplemented(context);
        const proxied = proxiedOrSkip(state, context);
        const target = await method.prepare(state.simulator(), state.provider());
        proxied.proxy.add({ times: 1, fault: { kind: 'garbage', status: 200 } });
        const first = await settle(method.call(proxied.provider, target, callOptions({ attempt: 1 })));
        await proxied.proxy.idle();
        if (first.ok) {
          // A plugin that needs no body from this answer (a delete answered 200) may say what happened: it happened.
          method.check(first.value, target, state.simulator(), { afterAmbiguous: true });
          return;
        }
        const error = await expectProviderError(first);
        expect(error.code, 'an unreadable body is INVALID_RESPONSE (ProviderResponseError)').toBe('INVALID_RESPONSE');
        expect(error.retryable).toBe(true);
        state.expectNoSecret(error);
        const again = await method.call(proxied.provider, target, callOptions({ attempt: 2 }));
        method.check(again, target, state.simulator(), { afterAmbiguous: true });
      });
    });
  }
}

function proxiedOrSkip(
  state: FailureCaseState,
  context: TestContext,
): { provider: VideoProviderV1; proxy: FaultProxy } {
  const proxied = state.proxied();
  if (!proxied)
    return context.skip('no fault proxy: the simulator has no url, or the suite was told faultProxy: false');
  return proxied;
}

async function expectProviderError(settled: Settled): Promise<UnreelProviderError> {
  expect(settled.ok, 'the call should have thrown').toBe(false);
  const error = settled.ok ? undefined : settled.error;
  return providerRejection(Promise.reject(error));
}
