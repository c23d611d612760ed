import type { Database, Statement } from 'better-sqlite3';

interface PositionRange {
  from: number;
  to: number;
}

interface PositionList {
  /** JSON array of positions. */
  positions: string;
}

/**
 * One statement over a set of item positions, prepared twice: for a contiguous run (`position BETWEEN`, one walk of
 * the primary key, what almost every batch is) and for any other set (`position IN` a JSON list, one seek each,
 * about four times the cost). `$positions` in the SQL stands for the condition; other parameters are named, `Params`.
 */
export class SqlitePositionsStatement<Params extends object, Row = never> {
  private readonly range: Statement<[Params & PositionRange], Row>;
  private readonly list: Statement<[Params & PositionList], Row>;

  constructor(db: Database, sql: string) {
    this.range = db.prepare<Params & PositionRange, Row>(sql.replace('$positions', 'position BETWEEN @from AND @to'));
    this.list = db.prepare<Params & PositionList, Row>(
      sql.replace('$positions', 'position IN (SELECT value FROM json_each(@positions))'),
    );
  }

  /** Returns how many rows the statement changed. */
  run(params: Params, positions: readonly number[]): number {
    const range = contiguousRange(positions);
    return (
      range
        ? this.range.run({ ...params, ...range })
        : this.list.run({ ...params, positions: JSON.stringify(positions) })
    ).changes;
  }

  all(params: Params, positions: readonly number[]): Row[] {
    const range = contiguousRange(positions);
    return range
      ? this.range.all({ ...params, ...range })
      : this.list.all({ ...params, positions: JSON.stringify(positions) });
  }
}

/** `positions` as a range, when they are one: ascending, without gaps or repeats. */
function contiguousRange(positions: readonly number[]): PositionRange | undefined {
  const from = positions[0];
  if (from === undefined) return undefined;
  for (let index = 1; index < positions.length; index += 1) if (positions[index] !== from + index) return undefined;
  return { from, to: from + positions.length - 1 };
}
