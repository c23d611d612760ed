import {
  AccountRegistry,
  DeletionEngine,
  InMemoryEventBus,
  SqliteOperationStore,
  defaultAccountLimits,
  type VideoSelection,
} from '@unreel/core';
import type { VideoProviderPluginV1 } from '@unreel/provider-spec';

/** What the selection bench asks of one engine process (in UNREEL_BENCH_CHILD, as JSON). */
export interface SelectionChildConfig {
  /** The plugin's package, imported here as the server would. */
  plugin: string;
  settings: Record<string, unknown>;
  requestsPerSecond: number;
  journal: string;
  operationId: string;
  statuses: string[];
  maxItems: number;
  listPageSize: number;
}

/** What it prints as its last stdout line. */
export interface SelectionChildResult {
  status: string;
  total: number;
  deleted: number;
  notFound: number;
  failed: number;
  discovery: string | undefined;
  passes: number;
  /** From resuming the journal (and submitting) until the operation is final, by this process's clock. */
  ms: number;
  /** This process's own peak resident set (process.resourceUsage().maxRSS), the engine's and the plugin's only. */
  maxRssMb: number;
  /** Only for the sandbox, whose library lives in this process: its delete calls and what is gone. */
  sandbox?: { deleteCalls: number; deletedIds: number; twice: number; matchingLeft: number; othersGone: number };
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * One server-sized process for the selection bench: the engine with its SQLite journal and one plugin account, as the
 * server builds them. It resumes what the journal holds unfinished (after a SIGKILL of the previous process), submits
 * the selection under a fixed operationId (a retry of it after the restart is the same operation), waits for the end,
 * and reports with its own peak RSS, apart from the bench process and its simulators.
 */
async function main(): Promise<void> {
  const config = JSON.parse(process.env['UNREEL_BENCH_CHILD'] ?? '') as SelectionChildConfig;
  const module = (await import(config.plugin)) as { default: VideoProviderPluginV1<never> };
  const plugin = module.default;
  const validated = await plugin.settingsSchema['~standard'].validate(config.settings);
  if (validated.issues) throw new Error(`${plugin.id}: settings invalid: ${JSON.stringify(validated.issues)}`);
  const provider = plugin.create(validated.value, { account: 'bench', fetch: globalThis.fetch, logger: silent });
  const store = new SqliteOperationStore({ path: config.journal });
  const engine = new DeletionEngine({
    store,
    bus: new InMemoryEventBus(),
    accounts: new AccountRegistry([
      {
        name: 'bench',
        pluginId: plugin.id,
        provider,
        limits: defaultAccountLimits(provider, { requestsPerSecond: config.requestsPerSecond }),
        deleteDelayMs: 0,
      },
    ]),
    options: { maxIdsPerOperation: config.maxItems, listPageSize: config.listPageSize },
  });
  const started = performance.now();
  await engine.resume();
  const selection = { account: 'bench', statuses: config.statuses } as VideoSelection;
  await engine.submit({
    tenant: 'default',
    selection,
    maxItems: config.maxItems,
    operationId: config.operationId,
  });
  // Told once the operation exists: the bench may kill this process from here on.
  process.stdout.write(`${JSON.stringify({ type: 'submitted' })}\n`);
  const done = await engine.waitForOperation('default', config.operationId, 3_600_000);
  const ms = performance.now() - started;
  await engine.close();
  await provider.doClose?.();
  await store.close();
  const result: SelectionChildResult = {
    status: done.status,
    total: done.total,
    deleted: done.deleted,
    notFound: done.notFound,
    failed: done.failed,
    discovery: done.selection?.discovery,
    passes: done.selection?.pass ?? 0,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  if (config.plugin === '@unreel/plugin-sandbox') result.sandbox = await sandboxReport(config.statuses);
  process.stdout.write(`${JSON.stringify({ type: 'result', ...result })}\n`);
}

/** The sandbox's own record, read after the run (and after the RSS, so this adds nothing to it). */
async function sandboxReport(statuses: readonly string[]): Promise<NonNullable<SelectionChildResult['sandbox']>> {
  const { getSandboxLibrary } = await import('@unreel/plugin-sandbox');
  const library = getSandboxLibrary('bench');
  if (!library) throw new Error('no sandbox library "bench"');
  const deletes = library.calls.filter((call) => call.method === 'delete');
  const counts = new Map<string, number>();
  for (const call of deletes) for (const id of call.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  let matchingLeft = 0;
  let othersGone = 0;
  for (const video of library.videos.values()) {
    const listed = video.state === 'FORBIDDEN' ? 'READY' : video.state;
    const matches = statuses.includes(listed);
    const gone = video.deletedAt !== null;
    if (matches && !gone) matchingLeft += 1;
    if (!matches && gone) othersGone += 1;
  }
  return {
    deleteCalls: deletes.length,
    deletedIds: counts.size,
    twice: [...counts.values()].filter((count) => count > 1).length,
    matchingLeft,
    othersGone,
  };
}

await main();
