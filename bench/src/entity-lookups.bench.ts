import { getSandboxLibrary } from '@unreel/plugin-sandbox';
import { createUnreelServer } from '@unreel/server';
import { fmt } from './measure.js';

const REFERENCES = 1_000;
// A little provider latency, so the time column shows what the calls cost; limits are each plugin's defaults.
const common = { seed: 3, latencyMs: [5, 5], processingRatio: 0, forbiddenRatio: 0, videoCount: REFERENCES };
const ACCOUNTS = [
  { name: 'lookup-100', lookupBatchSize: 100 },
  { name: 'lookup-20', lookupBatchSize: 20 },
  { name: 'lookup-1', lookupBatchSize: 1 },
] as const;
type AccountName = (typeof ACCOUNTS)[number]['name'];

const ENTITIES =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Video { id status deletion { status } } } }';

/** What the gateway would send for `count` videos of `account`: references by id, in one `_entities` request. */
function references(account: AccountName, count: number, offset = 0): { __typename: 'Video'; id: string }[] {
  const library = getSandboxLibrary(account);
  if (!library) throw new Error(`no sandbox library for ${account}`);
  return library.order.slice(offset, offset + count).map((id) => ({ __typename: 'Video', id: `${account}:${id}` }));
}

function lookups(): Map<AccountName, number> {
  return new Map(
    ACCOUNTS.map(({ name }) => [
      name,
      getSandboxLibrary(name)?.calls.filter((call) => call.method === 'get').length ?? 0,
    ]),
  );
}

export async function runEntityLookups(): Promise<void> {
  console.log(
    `\n## provider lookups for ${fmt(REFERENCES)} entity references in one _entities request (sandbox latency 5 ms a call)`,
  );
  const server = await createUnreelServer({
    port: 0,
    logLevel: 'silent',
    config: {
      journal: { driver: 'memory' },
      accounts: ACCOUNTS.map(({ name, lookupBatchSize }) => ({
        name,
        plugin: '@unreel/plugin-sandbox',
        settings: { ...common, lookupBatchSize },
      })),
    },
  });
  const batchOf = new Map<string, number>(ACCOUNTS.map(({ name, lookupBatchSize }) => [name, lookupBatchSize]));
  const scenarios: { label: string; refs: { __typename: 'Video'; id: string }[] }[] = [
    { label: '1,000 of one account, 100 ids a lookup', refs: references('lookup-100', REFERENCES) },
    { label: '1,000 of one account, 20 ids a lookup (ApsaraVideo)', refs: references('lookup-20', REFERENCES) },
    { label: '1,000 of one account, 1 id a lookup', refs: references('lookup-1', REFERENCES) },
    {
      label: '1,000 over three accounts (500 / 300 / 200)',
      refs: [...references('lookup-20', 500), ...references('lookup-100', 300), ...references('lookup-1', 200)],
    },
  ];
  try {
    console.log(
      'references                                         provider calls   ideal   calls/ideal   one call each   time',
    );
    for (const { label, refs } of scenarios) {
      const perAccount = new Map<string, number>();
      for (const ref of refs) {
        const account = ref.id.slice(0, ref.id.indexOf(':'));
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
      }
      const ideal = [...perAccount].reduce(
        (sum, [account, count]) => sum + Math.ceil(count / (batchOf.get(account) ?? 1)),
        0,
      );
      const before = lookups();
      const started = performance.now();
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ENTITIES, variables: { r: refs } }),
      });
      const body = (await response.json()) as { data?: { _entities: ({ id: string } | null)[] }; errors?: unknown };
      const ms = performance.now() - started;
      const resolved = body.data?._entities.filter((entity) => entity !== null).length ?? 0;
      if (body.errors || resolved !== refs.length)
        throw new Error(`${label}: resolved ${resolved} of ${refs.length}: ${JSON.stringify(body.errors)}`);
      const after = lookups();
      const calls = ACCOUNTS.reduce((sum, { name }) => sum + (after.get(name) ?? 0) - (before.get(name) ?? 0), 0);
      console.log(
        `${label.padEnd(50)} ${fmt(calls).padStart(14)}   ${fmt(ideal).padStart(5)}   ${fmt(calls / ideal, 2).padStart(10)}x   ${fmt(refs.length).padStart(13)}   ${fmt(ms)} ms`,
      );
    }
  } finally {
    await server.close();
  }
}
