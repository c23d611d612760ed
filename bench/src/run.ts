import { runAdaptiveRate, runAdaptiveRateReplicas } from './adaptive-rate.bench.js';
import { runCluster } from './cluster.bench.js';
import { runDoorbell } from './doorbell.bench.js';
import { runGraphQLVsEngine } from './graphql-vs-engine.bench.js';
import { runEntityLookups } from './entity-lookups.bench.js';
import { runJournal } from './journal.bench.js';
import { runJournalPostgres } from './journal-postgres.bench.js';
import { runProviderListing } from './provider-listing.bench.js';
import { runProviderThroughput } from './provider-throughput.bench.js';
import { runRedaction } from './redaction.bench.js';
import { runRedisAdmission } from './redis-admission.bench.js';
import { runSelection } from './selection.bench.js';
import { runVideoQuery } from './video-query.bench.js';
import { runWatchers } from './watchers.bench.js';

const benches: Record<string, () => Promise<void>> = {
  'graphql-vs-engine': runGraphQLVsEngine,
  journal: runJournal,
  'journal-postgres': runJournalPostgres,
  'video-query': runVideoQuery,
  'entity-lookups': runEntityLookups,
  'provider-throughput': runProviderThroughput,
  'provider-listing': runProviderListing,
  redaction: runRedaction,
  'adaptive-rate': runAdaptiveRate,
  'adaptive-rate-replicas': runAdaptiveRateReplicas,
  watchers: runWatchers,
  'redis-admission': runRedisAdmission,
  doorbell: runDoorbell,
  cluster: runCluster,
  selection: runSelection,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; available: ${Object.keys(benches).join(', ')}`);
  process.exit(1);
}
console.log(`unreel benchmarks, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) await benches[name]!();
process.exit(0);
