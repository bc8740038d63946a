/** Column kinds of batched inserts (PostgreSQL needs the array type of each column). */
export type SqlType = 'text' | 'int' | 'real';

/**
 * The little a run store needs from a database, with `?` placeholders in every statement. The SQLite and
 * PostgreSQL adapters implement it; everything else about the store is written once, in run-store.ts.
 */
export interface SqlDb {
  readonly kind: 'sqlite' | 'postgres';
  /** Rows of a query (RETURNING included). */
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Execute; resolves to the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Insert many rows in one transaction (SQLite) or one statement (PostgreSQL). */
  insertMany(table: string, columns: string[], types: SqlType[], rows: unknown[][]): Promise<void>;
  /** Run `fn` in one transaction (only the store's own statements may run meanwhile). */
  transaction(fn: () => Promise<void>): Promise<void>;
  /** Add the missing columns to a table; safe when several writers do it at once. */
  ensureColumns(table: string, columns: { name: string; type: SqlType }[]): Promise<void>;
  /** Expression for "now" on the heartbeat clock (the database server's, for PostgreSQL). */
  readonly nowSql: string;
  /** Expression for "now minus ? seconds" on the same clock, comparable with heartbeat_at. */
  readonly agoSql: string;
  /** The column that orders rows in insertion order. */
  readonly orderColumn: string;
  close(): Promise<void>;
}

/** Double-quoted identifier; names were validated as lower snake case before they get here. */
export function quoteIdent(name: string): string {
  return `"${name}"`;
}
