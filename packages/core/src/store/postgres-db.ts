import { BenchError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import { redactStoreLocation, secretsOfUrl } from './paths.js';
import { quoteIdent, type SqlDb, type SqlType } from './sql-db.js';

type PgModule = typeof import('pg');
type PgClient = import('pg').Client;

const PG_TYPES: Record<SqlType, string> = { text: 'TEXT', int: 'BIGINT', real: 'DOUBLE PRECISION' };
const PG_ARRAY_TYPES: Record<SqlType, string> = { text: 'text[]', int: 'bigint[]', real: 'float8[]' };
/** One advisory lock key for schema changes (migrations, added columns), so concurrent writers queue. */
const SCHEMA_LOCK = 7_216_300_161;
const INT8_OID = 20;

/** `?` placeholders to PostgreSQL's `$1, $2...` (our statements have no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** node-postgres behind the SqlDb interface: one connection, so this process's statements run in order. */
export class PostgresDb implements SqlDb {
  readonly kind = 'postgres';
  readonly nowSql = 'now()';
  readonly agoSql = `now() - make_interval(secs => ?::float8)`;
  readonly orderColumn = 'id';
  private readonly client: PgClient;
  private readonly scrub: (text: string) => string;
  private readonly location: string;

  constructor(client: PgClient, location: string, scrub: (text: string) => string) {
    this.client = client;
    this.location = location;
    this.scrub = scrub;
  }

  private async query<T>(sql: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
    try {
      const r = await this.client.query(numbered(sql), params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw storeError(
        `the run store at ${this.location} failed: ${this.scrub((err as Error).message)}`,
        err,
      );
    }
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount;
  }

  /** One statement whatever the batch size: the columns go as arrays and come back as rows by unnest. */
  async insertMany(table: string, columns: string[], types: SqlType[], rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
    const casts = types.map((t) => `?::${PG_ARRAY_TYPES[t]}`).join(', ');
    await this.query(
      `INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) SELECT * FROM unnest(${casts})`,
      arrays,
    );
  }

  async ensureColumns(table: string, columns: { name: string; type: SqlType }[]): Promise<void> {
    const have = async (): Promise<Set<string>> =>
      new Set(
        (
          await this.all<{ column_name: string }>(
            `SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?`,
            [table],
          )
        ).map((r) => r.column_name),
      );
    // The common case (columns already there) takes no lock: ALTER TABLE would block every writer.
    const existing = await have();
    if (columns.every((c) => existing.has(c.name))) return;
    await this.transaction(async () => {
      await this.query('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK]);
      const now = await have();
      for (const c of columns)
        if (!now.has(c.name))
          await this.query(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(c.name)} ${PG_TYPES[c.type]}`, []);
    });
  }

  async transaction(fn: () => Promise<void>): Promise<void> {
    await this.query('BEGIN', []);
    try {
      await fn();
      await this.query('COMMIT', []);
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /** Versioned migrations under the schema lock, so two writers opening a new database do not race. */
  async migrate(): Promise<void> {
    await this.transaction(async () => {
      await this.query('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK]);
      await this.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
        [],
      );
      const [row] = await this.all<{ v: number | null }>(`SELECT MAX(version) AS v FROM schema_migrations`);
      const current = row?.v ?? 0;
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        // Several statements in one text: the simple query protocol (no parameters) runs them all.
        await this.client.query(m.postgres);
        await this.query(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, [
          m.version,
          new Date().toISOString(),
        ]);
      }
    });
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}

const STORE_URL_HINT =
  'check the URL (postgres://user@host:port/db), that the server is up, and the password ($PGPASSWORD or ~/.pgpass)';

/** The password ~/.pgpass gives for this connection (undefined when none; pgpass reads $PGPASSFILE too). */
async function pgpassPassword(config: import('pg').ClientConfig): Promise<string | undefined> {
  const { default: pgpass } = await import('pgpass');
  const info = {
    host: config.host ?? 'localhost',
    port: String(config.port ?? 5432),
    database: config.database ?? config.user,
    user: config.user ?? process.env.PGUSER ?? process.env.USER,
  };
  return new Promise((res) => pgpass(info, res));
}

function storeError(message: string, cause: unknown, hint?: string): BenchError {
  return new BenchError('BENCH_ERR_STORE', message, {
    hint:
      hint ??
      'check that the PostgreSQL server is reachable and the role may write there (bench runs list --store URL)',
    cause,
  });
}

/**
 * Connect to a PostgreSQL store and migrate it. The password may be in the URL, in $PGPASSWORD or in
 * ~/.pgpass (node-postgres reads both when the URL has none); it never appears in a message.
 */
export async function openPostgresDb(url: string): Promise<PostgresDb> {
  const location = redactStoreLocation(url);
  const secrets = secretsOfUrl(url);
  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text);
  let pg: PgModule;
  try {
    pg = (await import('pg')).default as unknown as PgModule;
  } catch (err) {
    throw storeError('cannot load pg (the PostgreSQL driver)', err, 'reinstall with `npm ci`');
  }
  const { parseIntoClientConfig } = await import('pg-connection-string');
  let config: import('pg').ClientConfig;
  try {
    config = parseIntoClientConfig(url);
  } catch (err) {
    throw storeError(`invalid store URL ${location}: ${scrub((err as Error).message)}`, err, STORE_URL_HINT);
  }
  const inUrl = typeof config.password === 'string' && config.password !== '' ? config.password : undefined;
  const client = new pg.Client({
    ...config,
    // The URL's password, else $PGPASSWORD, else ~/.pgpass (or $PGPASSFILE), as libpq does.
    password: async () => {
      const found = inUrl ?? (process.env.PGPASSWORD || (await pgpassPassword(config)));
      if (found === undefined)
        throw new Error('the server asks for a password: none in the URL, $PGPASSWORD or ~/.pgpass');
      return found;
    },
    application_name: 'inferencebench',
    connectionTimeoutMillis: 10_000,
    // BIGINT (counts, ids, integer columns) as numbers: every value we store is a safe integer.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  // A dropped connection emits 'error' between queries; the next query reports it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw storeError(
      `cannot connect to the run store at ${location}: ${scrub((err as Error).message)}`,
      err,
      STORE_URL_HINT,
    );
  }
  const db = new PostgresDb(client, location, scrub);
  await db.migrate();
  return db;
}
