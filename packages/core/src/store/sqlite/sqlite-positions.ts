import type { Database, Statement } from 'better-sqlite3';

/**
 * One statement over a set of item positions, prepared twice: for a contiguous run (`position BETWEEN`, one walk of
 * the primary key, what almost every batch is) and for any other set (`position IN` a JSON list, one seek each,
 * about four times the cost). `$positions` in the SQL stands for the condition; other parameters are named.
 */
export class SqlitePositionsStatement {
  private readonly range: Statement;
  private readonly list: Statement;

  constructor(db: Database, sql: string, options: { raw?: boolean } = {}) {
    this.range = db.prepare(sql.replace('$positions', 'position BETWEEN @from AND @to'));
    this.list = db.prepare(sql.replace('$positions', 'position IN (SELECT value FROM json_each(@positions))'));
    if (options.raw) {
      this.range.raw(true);
      this.list.raw(true);
    }
  }

  run(params: Record<string, unknown>, positions: readonly number[]): number {
    const picked = this.pick(params, positions);
    return picked.statement.run(picked.params).changes;
  }

  all(params: Record<string, unknown>, positions: readonly number[]): unknown[] {
    const picked = this.pick(params, positions);
    return picked.statement.all(picked.params);
  }

  /** Adds the positions to `params`, which callers pass fresh for each call. */
  private pick(
    params: Record<string, unknown>,
    positions: readonly number[],
  ): { statement: Statement; params: Record<string, unknown> } {
    const from = positions[0] ?? 0;
    let contiguous = positions.length > 0;
    for (let index = 1; index < positions.length && contiguous; index += 1)
      contiguous = positions[index] === from + index;
    if (contiguous) {
      params.from = from;
      params.to = from + positions.length - 1;
      return { statement: this.range, params };
    }
    params.positions = JSON.stringify(positions);
    return { statement: this.list, params };
  }
}
