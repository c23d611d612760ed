import type { Database } from 'better-sqlite3';

/**
 * Versioned schema changes, applied in order inside one transaction each; `PRAGMA user_version` records how far a
 * journal file has come. Never edit a released migration: add the next one.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE operations (
    op_id         INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    tenant        TEXT NOT NULL,
    id            TEXT NOT NULL,
    status        TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    accounts      TEXT NOT NULL,
    total         INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    not_found     INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    restored      INTEGER NOT NULL DEFAULT 0,
    pending       INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
  );
  CREATE INDEX operations_unfinished ON operations (op_id) WHERE pending > 0;
  CREATE INDEX operations_finished_at ON operations (finished_at) WHERE finished_at IS NOT NULL;

  CREATE TABLE items (
    op_id            INTEGER NOT NULL REFERENCES operations (op_id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    video_id         TEXT NOT NULL,
    account          TEXT NOT NULL,
    native_id        TEXT NOT NULL,
    status           TEXT NOT NULL,
    error            TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    ambiguous        INTEGER NOT NULL DEFAULT 0,
    restorable_until INTEGER,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (op_id, position)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX items_by_video ON items (op_id, video_id);
  CREATE INDEX items_latest ON items (video_id, op_id);
  CREATE INDEX items_open ON items (op_id, account, position) WHERE status IN ('PENDING', 'SCHEDULED');

  CREATE TABLE events (
    op_id            INTEGER NOT NULL REFERENCES operations (op_id) ON DELETE CASCADE,
    sequence         INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    status           TEXT NOT NULL,
    error            TEXT,
    attempts         INTEGER NOT NULL,
    restorable_until INTEGER,
    updated_at       INTEGER NOT NULL,
    completed        INTEGER NOT NULL,
    op_status        TEXT NOT NULL,
    PRIMARY KEY (op_id, sequence)
  ) WITHOUT ROWID;
  `,
  // 2: writes address items by position (the primary key) and planning walks the primary key, so these two indexes
  // only cost upkeep on every insert and every status change; account and native id are the two halves of video_id
  // (`<account>:<native id>`), so they only cost bytes in every row written.
  `
  DROP INDEX items_by_video;
  DROP INDEX items_open;
  ALTER TABLE items DROP COLUMN account;
  ALTER TABLE items DROP COLUMN native_id;
  `,
  // 3: provider-confirmed deletions (verified webhooks), and the delivery ids that make a redelivery a no-op.
  `
  ALTER TABLE items ADD COLUMN confirmed_at INTEGER;
  ALTER TABLE events ADD COLUMN confirmed_at INTEGER;
  CREATE TABLE deliveries (
    account     TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account, delivery_id)
  ) WITHOUT ROWID;
  CREATE INDEX deliveries_received_at ON deliveries (received_at);
  `,
  // 4: cancelDeletion (items CANCELLED, counted per operation), and `deletions`: a tenant's operations newest first,
  // optionally of one status, each a walk of its own index from the cursor on. Operations are written once and
  // finished once, so two indexes cost little beside the items' writes.
  `
  ALTER TABLE operations ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX operations_by_tenant ON operations (tenant, created_at DESC, id DESC);
  CREATE INDEX operations_by_tenant_status ON operations (tenant, status, created_at DESC, id DESC);
  `,
  // 5: whenBlocked. What the request asked for items a provider refuses for now (NULL: each account's default), and
  // when such an item waiting SCHEDULED is sent again, so a restart waits for the same time instead of sending it
  // at once. Events keep it too: each holds its item as it was.
  `
  ALTER TABLE operations ADD COLUMN when_blocked TEXT;
  ALTER TABLE items ADD COLUMN next_attempt_at INTEGER;
  ALTER TABLE events ADD COLUMN next_attempt_at INTEGER;
  `,
  // 6: each account's rate as learned from its provider's throttles, so a restart does not learn it again.
  `
  CREATE TABLE account_rates (
    account                        TEXT PRIMARY KEY,
    requests_per_second            REAL NOT NULL,
    configured_requests_per_second REAL NOT NULL,
    learned_at                     INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 7: delete by selection. The selection as asked (JSON: account, createdBefore and createdAfter in epoch ms,
  // statuses, maxItems; NULL for an operation given its ids) and its discovery: state, the current pass, its cursor
  // and what it journaled so far, and the error that ended it FAILED. Operations discovering are resumed at start even
  // with nothing open, hence their index. A video already in an operation is found through items_latest.
  `
  ALTER TABLE operations ADD COLUMN selection TEXT;
  ALTER TABLE operations ADD COLUMN discovery TEXT;
  ALTER TABLE operations ADD COLUMN discovery_cursor TEXT;
  ALTER TABLE operations ADD COLUMN discovery_pass INTEGER;
  ALTER TABLE operations ADD COLUMN discovery_found INTEGER;
  ALTER TABLE operations ADD COLUMN discovery_error TEXT;
  CREATE INDEX operations_discovering ON operations (op_id) WHERE discovery = 'DISCOVERING';
  `,
];

export function migrate(db: Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > migrations.length) {
    throw new Error(
      `The journal was written by a newer unreel (schema ${current}; this one knows up to ${migrations.length})`,
    );
  }
  for (const [index, sql] of migrations.entries()) {
    if (index < current) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
