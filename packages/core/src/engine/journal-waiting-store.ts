import type { OperationStore } from '../store/operation-store.js';
import type { JournalGuard } from './journal-guard.js';

/**
 * The journal as the engine's running work uses it: reads go straight through; every write waits, while the journal
 * cannot be written, until it can (see JournalGuard.write), so an operation pauses instead of losing what it did.
 */
export function journalWaitingStore(store: OperationStore, guard: JournalGuard): OperationStore {
  return {
    createOperation: (operation) => guard.write(() => store.createOperation(operation)),
    getOperation: (key) => store.getOperation(key),
    appendDiscovered: (key, page) => guard.write(() => store.appendDiscovered(key, page)),
    markAttempt: (key, positions) => guard.write(() => store.markAttempt(key, positions)),
    clearAmbiguous: (key, positions) => guard.write(() => store.clearAmbiguous(key, positions)),
    recordUpdates: (key, updates) => guard.write(() => store.recordUpdates(key, updates)),
    cancelScheduled: (key, position, at) => guard.write(() => store.cancelScheduled(key, position, at)),
    cancelOperation: (key, at) => guard.write(() => store.cancelOperation(key, at)),
    cancelUnsent: (key, positions, at) => guard.write(() => store.cancelUnsent(key, positions, at)),
    listOperations: (tenant, options) => store.listOperations(tenant, options),
    listEvents: (key, after, limit) => store.listEvents(key, after, limit),
    listItems: (key, options) => store.listItems(key, options),
    listOpenItems: (key, account, options) => store.listOpenItems(key, account, options),
    latestItems: (tenant, videoIds) => store.latestItems(tenant, videoIds),
    listUnfinishedOperations: () => store.listUnfinishedOperations(),
    hasDelivery: (account, deliveryId) => store.hasDelivery(account, deliveryId),
    recordDelivery: (account, deliveryId, at) => guard.write(() => store.recordDelivery(account, deliveryId, at)),
    purgeFinishedBefore: (cutoff) => guard.write(() => store.purgeFinishedBefore(cutoff)),
    probeWrite: () => store.probeWrite(),
    close: () => store.close(),
  };
}
