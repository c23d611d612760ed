import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  definePlugin,
  describeSchemaIssues,
  isVideoProviderPluginV1,
  restoreSupport,
  type CallOptions,
  type DeleteOutcome,
  type StandardSchemaV1,
  type VideoProviderV1,
} from '../src/index.js';

const settingsSchema: StandardSchemaV1<unknown, { prefix: string }> = {
  '~standard': { version: 1, vendor: 'test', validate: () => ({ value: { prefix: 'p' } }) },
};
const context = { account: 'a', fetch: globalThis.fetch, logger: console };
const options: CallOptions = { signal: new AbortController().signal, attempt: 1 };

/** Written against the spec as it was: everything spelt out, a class with private state. */
class FullProvider implements VideoProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'full';
  readonly capabilities = { maxBatchSize: 5, restore: false as const };
  async doDeleteVideos(ids: readonly string[]): Promise<DeleteOutcome[]> {
    return ids.map(() => ({ status: 'DELETED' }));
  }
  async doGetVideos(ids: readonly string[]) {
    return ids.map(() => null);
  }
}

describe('definePlugin', () => {
  it('takes a plugin written in full as before, and hands back its own provider object', () => {
    const made = new FullProvider();
    const plugin = definePlugin({ specificationVersion: 'v1', id: 'full', settingsSchema, create: () => made });
    expect(isVideoProviderPluginV1(plugin)).toBe(true);
    expect(plugin.create({ prefix: 'p' }, context)).toBe(made);
  });

  it('fills specificationVersion, the provider id and the capability defaults, and adapts a single-id delete', async () => {
    const deleted: string[] = [];
    const plugin = definePlugin({
      id: 'single',
      settingsSchema,
      create: (settings) => ({
        // A class's private state must survive: the methods stay bound to the object the plugin made.
        async doDeleteVideo(id: string): Promise<DeleteOutcome> {
          deleted.push(`${settings.prefix}:${id}`);
          return { status: 'DELETED' };
        },
        async doGetVideos(ids: readonly string[]) {
          return ids.map((id) => ({ id, title: null, status: 'READY' as const }));
        },
      }),
    });
    expect(plugin.specificationVersion).toBe('v1');
    const provider = plugin.create({ prefix: 'p' }, context);
    expect(provider).toMatchObject({
      specificationVersion: 'v1',
      provider: 'single',
      capabilities: { maxBatchSize: 1, restore: false },
    });
    expect(await provider.doDeleteVideos(['v1'], options)).toEqual([{ status: 'DELETED' }]);
    expect(await provider.doDeleteVideos([], options)).toEqual([]);
    const tooMany = await provider.doDeleteVideos(['v2', 'v3'], options).catch((error: unknown) => error);
    expect(InvalidRequestError.isInstance(tooMany)).toBe(true);
    expect(deleted).toEqual(['p:v1']);
  });

  it('reads restore from whether doRestoreVideo is there, unless the capabilities say otherwise', () => {
    const base = {
      async doDeleteVideo(): Promise<DeleteOutcome> {
        return { status: 'DELETED' };
      },
      async doGetVideos() {
        return [];
      },
    };
    const restore = async () => ({ status: 'RESTORED' as const });
    const make = (made: object) =>
      definePlugin({ id: 'r', settingsSchema, create: () => made as typeof base }).create({ prefix: 'p' }, context);
    expect(restoreSupport(make({ ...base, doRestoreVideo: restore }))).toEqual({});
    expect(restoreSupport(make(base))).toBe(false);
    const windowed = make({ ...base, doRestoreVideo: restore, capabilities: { restore: { windowDays: 30 } } });
    expect(restoreSupport(windowed)).toEqual({ windowDays: 30 });
    // Declared but without the method to do it: no restore, whatever the capabilities claim.
    expect(restoreSupport({ capabilities: { maxBatchSize: 1, restore: {} } })).toBe(false);
  });

  it('refuses a single-id delete declared with a larger batch, and a provider that cannot delete', () => {
    const get = async () => [];
    const batchOfTwo = definePlugin({
      id: 'bad',
      settingsSchema,
      create: () => ({
        capabilities: { maxBatchSize: 2 },
        doDeleteVideo: async () => ({ status: 'DELETED' }),
        doGetVideos: get,
      }),
    });
    expect(() => batchOfTwo.create({ prefix: 'p' }, context)).toThrow(/maxBatchSize must be 1 or left out, got 2/);
    const none = definePlugin({ id: 'none', settingsSchema, create: () => ({ doGetVideos: get }) as never });
    expect(() => none.create({ prefix: 'p' }, context)).toThrow(
      'none: the provider has neither doDeleteVideos nor doDeleteVideo',
    );
  });
});

describe('describeSchemaIssues', () => {
  it('lists every issue with its path', () => {
    expect(
      describeSchemaIssues(
        [
          { message: 'Required', path: ['apiKey'] },
          { message: 'Unrecognized key: "apiKy"', path: [] },
          { message: 'Too big', path: [{ key: 'limits' }, 0, 'rate'] },
        ],
        { root: 'settings' },
      ),
    ).toBe('settings.apiKey: Required; settings: Unrecognized key: "apiKy"; settings.limits[0].rate: Too big');
    expect(describeSchemaIssues([{ message: 'Expected object' }])).toBe('Expected object');
  });
});
