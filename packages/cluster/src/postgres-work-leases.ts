import type { ChunkPlans, NewItem } from '@unreel/core';
import type { PoolClient } from 'pg';

/**
 * The chunk rows' SQL (see DESIGN, "Work shared as leased chunks"). Every statement takes its time from the database
 * (`now()`), never from a replica, so replicas with skewed clocks agree on who holds what.
 */

/** Chunks as parallel arrays for one statement: per item its chunk's ordinal (null: no chunk), per chunk its due time. */
export interface ChunkArrays {
  ordinals: (number | null)[];
  notBefore: (Date | null)[];
}

/**
 * Cuts items (at consecutive positions, in order) into chunks: per account, runs of the account's batch size in
 * position order. Without plans (a journal used by one replica) there are none.
 */
export function chunkArrays(items: readonly Pick<NewItem, 'account'>[], plans: ChunkPlans | undefined): ChunkArrays {
  const ordinals: (number | null)[] = [];
  const notBefore: (Date | null)[] = [];
  if (!plans) return { ordinals: items.map(() => null), notBefore };
  const open = new Map<string, { ordinal: number; size: number }>();
  for (const item of items) {
    const plan = plans[item.account];
    if (!plan) {
      ordinals.push(null);
      continue;
    }
    let chunk = open.get(item.account);
    if (!chunk || chunk.size >= Math.max(1, plan.batchSize)) {
      chunk = { ordinal: notBefore.length, size: 0 };
      notBefore.push(plan.notBefore);
      open.set(item.account, chunk);
    }
    chunk.size += 1;
    ordinals.push(chunk.ordinal);
  }
  return { ordinals, notBefore };
}

/**
 * Inserts the chunks of items just inserted at positions first.. (in the caller's transaction): $1 op_id, $2 the first
 * position, $3 accounts, $4 chunk ordinals, $5 due times by ordinal, $6 held.
 */
export async function insertChunks(
  client: PoolClient,
  opId: string,
  first: number,
  items: readonly Pick<NewItem, 'account'>[],
  chunks: ChunkArrays,
  held: boolean,
): Promise<void> {
  if (chunks.notBefore.length === 0) return;
  await client.query(
    `INSERT INTO chunks (op_id, account, positions, not_before, held)
     SELECT $1, min(item.account), array_agg($2 + item.ordinality::int - 1 ORDER BY item.ordinality),
       min(($5::timestamptz[])[item.chunk + 1]), $6
     FROM unnest($3::text[], $4::int[]) WITH ORDINALITY AS item (account, chunk, ordinality)
     WHERE item.chunk IS NOT NULL
     GROUP BY item.chunk ORDER BY item.chunk`,
    [opId, first, items.map((item) => item.account), chunks.ordinals, chunks.notBefore, held],
  );
}

export interface ClaimedChunkRow {
  chunk_id: string;
  op_id: string;
  account: string;
  positions: number[];
  lease_token: string;
  expired: boolean;
  tenant: string;
  id: string;
}

/**
 * One statement: the next claimable chunk of these accounts (open, not held, due, its lease absent or expired), the
 * operation claimed longest ago first (round-robin: a large operation does not starve a small one), locked with SKIP
 * LOCKED so concurrent claims take different chunks and never wait on each other; leased with a new fencing token and
 * an expiry on the database clock; and the operation's turn moved to now.
 */
export const CLAIM_CHUNK = `
  WITH candidate AS (
    SELECT c.chunk_id, c.lease_expires IS NOT NULL AS expired
    FROM chunks c LEFT JOIN claim_turns t ON t.op_id = c.op_id
    WHERE NOT c.done AND NOT c.held AND c.account = ANY($2::text[])
      AND (c.not_before IS NULL OR c.not_before <= now())
      AND (c.lease_expires IS NULL OR c.lease_expires <= now())
    ORDER BY array_position($2::text[], c.account), t.last_claimed_at NULLS FIRST, c.chunk_id
    LIMIT 1
    FOR UPDATE OF c SKIP LOCKED
  ), claimed AS (
    UPDATE chunks c SET lease_owner = $1, lease_token = nextval('lease_tokens'),
      lease_expires = now() + $3 * interval '1 millisecond'
    FROM candidate WHERE c.chunk_id = candidate.chunk_id
    RETURNING c.chunk_id, c.op_id, c.account, c.positions, c.lease_token, candidate.expired
  ), turn AS (
    INSERT INTO claim_turns (op_id, last_claimed_at) SELECT op_id, clock_timestamp() FROM claimed
    ON CONFLICT (op_id) DO UPDATE SET last_claimed_at = excluded.last_claimed_at
  )
  SELECT claimed.*, o.tenant, o.id FROM claimed JOIN operations o ON o.op_id = claimed.op_id`;

/**
 * The fence, first in a write's transaction: the chunk is still leased with this token and not expired, and stays so
 * until the write commits (FOR SHARE: a claim's FOR UPDATE SKIP LOCKED passes it by, a renewal waits).
 */
export const CHUNK_FENCE = `
  SELECT 1 FROM chunks WHERE chunk_id = $1 AND lease_token = $2 AND lease_expires > now() FOR SHARE`;

export const RENEW_CHUNK = `
  UPDATE chunks SET lease_expires = now() + $3 * interval '1 millisecond'
  WHERE chunk_id = $1 AND lease_token = $2 AND lease_expires > now()`;

/**
 * A held chunk given back: done when none of its items is open; else due again at the earliest next attempt of its
 * open items (whenBlocked: WAIT), or at once when one of them has none. The token stays, so the fence refuses any
 * write of the lease just ended.
 */
export const FINISH_CHUNK = `
  WITH open_items AS (
    SELECT count(*) AS open, bool_or(i.next_attempt_at IS NULL) AS any_now, min(i.next_attempt_at) AS earliest
    FROM chunks c JOIN items i ON i.op_id = c.op_id AND i.position = ANY(c.positions)
    WHERE c.chunk_id = $1 AND i.status IN ('PENDING', 'SCHEDULED')
  )
  UPDATE chunks SET lease_owner = NULL, lease_expires = NULL, done = open_items.open = 0,
    not_before = CASE WHEN open_items.any_now THEN NULL ELSE open_items.earliest END
  FROM open_items
  WHERE chunk_id = $1 AND lease_token = $2 AND lease_expires > now()`;

export const RELEASE_CHUNKS = `
  UPDATE chunks SET lease_owner = NULL, lease_expires = NULL WHERE lease_owner = $1 AND NOT done`;

export const CHUNK_ITEMS = `
  SELECT i.position, i.video_id, i.account, i.status, i.error, i.attempts, i.ambiguous, i.restorable_until,
    i.confirmed_at, i.next_attempt_at, i.updated_at
  FROM chunks c JOIN items i ON i.op_id = c.op_id AND i.position = ANY(c.positions)
  WHERE c.chunk_id = $1 AND i.status IN ('PENDING', 'SCHEDULED') ORDER BY i.position`;

/** Nothing of the operation is leased or claimable now. */
export const CHUNKS_SETTLED = `
  SELECT NOT EXISTS (
    SELECT 1 FROM chunks c JOIN operations o ON o.op_id = c.op_id
    WHERE o.tenant = $1 AND o.id = $2 AND NOT c.done AND NOT c.held
      AND ((c.lease_expires IS NOT NULL AND c.lease_expires > now()) OR c.not_before IS NULL OR c.not_before <= now())
  ) AS settled`;

/** One statement, as a chunk's claim: a selection still discovering whose discovery nobody holds. */
export const CLAIM_DISCOVERY = `
  UPDATE operations o SET discovery_owner = $1, discovery_token = nextval('lease_tokens'),
    discovery_expires = now() + $2 * interval '1 millisecond'
  WHERE o.op_id = (
    SELECT op_id FROM operations
    WHERE discovery = 'DISCOVERING' AND status = 'RUNNING'
      AND (discovery_expires IS NULL OR discovery_expires <= now())
    ORDER BY op_id LIMIT 1 FOR UPDATE SKIP LOCKED
  )
  RETURNING o.tenant, o.id, o.discovery_token`;

export const DISCOVERY_FENCE = `
  SELECT 1 FROM operations WHERE op_id = $1 AND discovery_token = $2 AND discovery_expires > now()`;

export const RENEW_DISCOVERY = `
  UPDATE operations SET discovery_expires = now() + $4 * interval '1 millisecond'
  WHERE tenant = $1 AND id = $2 AND discovery_token = $3 AND discovery_expires > now()`;

export const RELEASE_DISCOVERY = `
  UPDATE operations SET discovery_owner = NULL, discovery_expires = NULL
  WHERE tenant = $1 AND id = $2 AND discovery_token = $3`;

export const RELEASE_DISCOVERIES = `
  UPDATE operations SET discovery_owner = NULL, discovery_expires = NULL WHERE discovery_owner = $1`;

/**
 * Chunks for the open items of running operations that have none (journaled without `cluster`): per operation and
 * account, runs of the account's batch size in position order, due after the account's deleteDelay from the
 * operation's creation. $1 accounts, $2 batch sizes, $3 delays in ms.
 */
export const CHUNK_UNCHUNKED = `
  INSERT INTO chunks (op_id, account, positions, not_before)
  SELECT op_id, account, array_agg(position ORDER BY position), min(not_before)
  FROM (
    SELECT i.op_id, i.account, i.position,
      (row_number() OVER (PARTITION BY i.op_id, i.account ORDER BY i.position) - 1) / p.batch_size AS chunk,
      CASE WHEN p.delay_ms > 0 THEN o.created_at + p.delay_ms * interval '1 millisecond' END AS not_before
    FROM operations o
    JOIN items i ON i.op_id = o.op_id AND i.status IN ('PENDING', 'SCHEDULED')
    JOIN unnest($1::text[], $2::int[], $3::bigint[]) AS p (account, batch_size, delay_ms) ON p.account = i.account
    WHERE o.status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.op_id = o.op_id)
  ) planned
  GROUP BY op_id, account, chunk`;
