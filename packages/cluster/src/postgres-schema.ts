/**
 * Versioned schema changes, plain SQL applied in order, each in its own transaction with its row in
 * `schema_migrations`. Never edit a released migration: add the next one.
 *
 * Why the shape: operations are unique per (tenant, id), the idempotency key, so a repeated create is one INSERT ... ON
 * CONFLICT; counts and `last_sequence` live on the operation row, which every event writer locks and moves in the
 * transaction that inserts its events (gapless, unlike a SEQUENCE); items and events are keyed by (op_id, position)
 * and (op_id, sequence), the orders they are read in; times are timestamptz; errors are JSON text, written and read
 * whole, never queried by field.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE operations (
    op_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant        text NOT NULL,
    id            text NOT NULL,
    status        text NOT NULL,
    fingerprint   text NOT NULL,
    accounts      text[] NOT NULL,
    when_blocked  text,
    total         integer NOT NULL,
    deleted       integer NOT NULL DEFAULT 0,
    not_found     integer NOT NULL DEFAULT 0,
    failed        integer NOT NULL DEFAULT 0,
    restored      integer NOT NULL DEFAULT 0,
    cancelled     integer NOT NULL DEFAULT 0,
    pending       integer NOT NULL,
    last_sequence integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    CONSTRAINT operations_idempotency UNIQUE (tenant, id)
  );
  CREATE INDEX operations_unfinished ON operations (op_id) WHERE pending > 0;
  CREATE INDEX operations_finished_at ON operations (finished_at) WHERE finished_at IS NOT NULL;
  CREATE INDEX operations_by_tenant ON operations (tenant, created_at DESC, id DESC);
  CREATE INDEX operations_by_tenant_status ON operations (tenant, status, created_at DESC, id DESC);

  CREATE TABLE items (
    op_id            bigint NOT NULL REFERENCES operations (op_id) ON DELETE CASCADE,
    position         integer NOT NULL,
    video_id         text NOT NULL,
    account          text NOT NULL,
    status           text NOT NULL CHECK (status IN ('PENDING', 'SCHEDULED', 'DELETED', 'NOT_FOUND', 'FAILED',
                                                      'RESTORED', 'CANCELLED')),
    error            text,
    attempts         integer NOT NULL DEFAULT 0,
    ambiguous        boolean NOT NULL DEFAULT false,
    restorable_until timestamptz,
    confirmed_at     timestamptz,
    next_attempt_at  timestamptz,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (op_id, position)
  );
  -- Planning reads one account's open items by position: the index shrinks as items close.
  CREATE INDEX items_open ON items (op_id, account, position) WHERE status IN ('PENDING', 'SCHEDULED');
  CREATE INDEX items_latest ON items (video_id, op_id);

  -- No foreign key: its check costs a lookup per event on the hottest write; the purge deletes events itself.
  CREATE TABLE events (
    op_id            bigint NOT NULL,
    sequence         integer NOT NULL,
    position         integer NOT NULL,
    status           text NOT NULL,
    error            text,
    attempts         integer NOT NULL,
    restorable_until timestamptz,
    confirmed_at     timestamptz,
    next_attempt_at  timestamptz,
    updated_at       timestamptz NOT NULL,
    completed        integer NOT NULL,
    op_status        text NOT NULL,
    PRIMARY KEY (op_id, sequence)
  );

  CREATE TABLE deliveries (
    account     text NOT NULL,
    delivery_id text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (account, delivery_id)
  );
  CREATE INDEX deliveries_received_at ON deliveries (received_at);

  CREATE TABLE account_rates (
    account                        text PRIMARY KEY,
    requests_per_second            double precision NOT NULL,
    configured_requests_per_second double precision NOT NULL,
    learned_at                     timestamptz NOT NULL
  );
  `,
  // 2: delete by selection. The selection as asked (jsonb: account, createdBefore and createdAfter in epoch ms,
  // statuses, maxItems; NULL for an operation given its ids) and its discovery: state, the current pass, its cursor and
  // what it journaled so far, and the error that ended it FAILED. Operations discovering are resumed even with nothing
  // open, hence their index. A video already in an operation is found through items_latest.
  `
  ALTER TABLE operations ADD COLUMN selection jsonb;
  ALTER TABLE operations ADD COLUMN discovery text
    CHECK (discovery IN ('DISCOVERING', 'DONE', 'CAPPED', 'CANCELLED', 'FAILED'));
  ALTER TABLE operations ADD COLUMN discovery_cursor text;
  ALTER TABLE operations ADD COLUMN discovery_pass integer;
  ALTER TABLE operations ADD COLUMN discovery_found integer;
  ALTER TABLE operations ADD COLUMN discovery_error text;
  CREATE INDEX operations_discovering ON operations (op_id) WHERE discovery = 'DISCOVERING';
  `,
  // 3: several replicas share the work as leased chunks (see DESIGN, "Work shared as leased chunks"). A chunk is one
  // provider batch of one account's items of one operation, written with its items; `held` keeps a quiet discovery
  // pass's chunks back until the pass ends. Fencing tokens come from a SEQUENCE (gaps are harmless there; event
  // sequences stay on the operation row). claim_turns keeps the round-robin order apart from the operation row, which
  // every event writer locks. A selection's discovery is leased on its operation's row.
  `
  CREATE SEQUENCE lease_tokens;
  CREATE TABLE chunks (
    chunk_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op_id         bigint NOT NULL REFERENCES operations (op_id) ON DELETE CASCADE,
    account       text NOT NULL,
    positions     integer[] NOT NULL,
    done          boolean NOT NULL DEFAULT false,
    held          boolean NOT NULL DEFAULT false,
    not_before    timestamptz,
    lease_owner   text,
    lease_token   bigint,
    lease_expires timestamptz
  );
  CREATE INDEX chunks_open ON chunks (account, chunk_id) WHERE NOT done;
  CREATE INDEX chunks_of_operation ON chunks (op_id) WHERE NOT done;
  CREATE INDEX chunks_by_owner ON chunks (lease_owner) WHERE lease_owner IS NOT NULL;
  CREATE TABLE claim_turns (
    op_id           bigint PRIMARY KEY REFERENCES operations (op_id) ON DELETE CASCADE,
    last_claimed_at timestamptz NOT NULL
  );
  ALTER TABLE operations ADD COLUMN discovery_owner text;
  ALTER TABLE operations ADD COLUMN discovery_token bigint;
  ALTER TABLE operations ADD COLUMN discovery_expires timestamptz;
  `,
];

/** The newest schema version this package writes. */
export const SCHEMA_VERSION = migrations.length;
