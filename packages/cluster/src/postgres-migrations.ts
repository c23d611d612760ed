import type { PoolClient } from 'pg';
import { migrations } from './postgres-schema.js';

/** Advisory lock namespace (first key) for migrations; the second key is the schema's hash. */
const MIGRATION_LOCK = 0x756e7265; // "unre"

/**
 * Brings `schema` up to the newest version; returns the version it found (0: an empty database). Runs under a session
 * advisory lock, so replicas starting together take turns: the second finds the work done.
 */
export async function migrate(client: PoolClient, schema: string): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK, schema]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema)}.schema_migrations (
         version    integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${quoteIdentifier(schema)}.schema_migrations`,
    );
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `The journal was written by a newer unreel (schema ${current}; this one knows up to ${migrations.length})`,
      );
    }
    for (const [index, sql] of migrations.entries()) {
      if (index < current) continue;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
    return current;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK, schema]).catch(() => undefined);
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name as SQL; only plain lower-case identifiers are accepted, so no quoting rules apply. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Schema name ${JSON.stringify(name)} must match ${IDENTIFIER.source}`);
  return `"${name}"`;
}
