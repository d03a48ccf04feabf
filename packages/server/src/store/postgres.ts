import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { nameStatements } from './named-statements.js';
import type { Database } from './schema.js';
import { SecretBox } from './secret-box.js';
import type { DialectHelpers, Store } from './store.js';

const INT8_OID = 20;

/** int8 columns hold millisecond timestamps and counts, all far below 2^53: read them as numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** How long to wait for a new connection: past it the store counts as unreachable. */
const CONNECT_TIMEOUT_MS = 1500;

/** Socket errors, and PostgreSQL's admin shutdown, crash shutdown, cannot connect now, and connection failures. */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

const postgresHelpers: DialectHelpers = {
  jsonFieldText: (column, key) => sql<string | null>`(${sql.ref(column)} -> ${key})::text`,
  isUniqueViolation: (error) => error instanceof Error && 'code' in error && error.code === '23505',
  isUnavailable: (error) =>
    (error instanceof Error && 'code' in error && UNAVAILABLE.has(String(error.code))) ||
    (error instanceof Error && /Connection terminated|timeout exceeded when trying to connect|not queryable/.test(error.message)),
};

/** Options beyond the URL. */
export interface PostgresOptions {
  /** Schema to put first on the search path (tests isolate themselves this way). */
  schema?: string;
  /** Pool size; defaults to 10. */
  max?: number;
  /** Seals what the store keeps secret; by default nothing is sealed. */
  secrets?: SecretBox;
}

/** Connects a pool to `url`. The pool connects lazily; `ping` proves the server is there. */
export function openPostgresStore(url: string, options: PostgresOptions = {}): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    // A request waits this long for a connection before it is answered 503.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client that loses its connection emits 'error'. The pool listens only while the client is idle; a
  // client checked out for a query or a transaction has no listener but ours, and without one an outage
  // would crash the process. The query in flight fails on its own, and the pool drops the dead client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  nameStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safeUrl = new URL(url);
  safeUrl.password = '';
  return {
    kind: 'postgres',
    db,
    dialect: postgresHelpers,
    description: `postgres ${safeUrl.host}${safeUrl.pathname}${options.schema ? ` (schema ${options.schema})` : ''}`,
    secrets: options.secrets ?? SecretBox.plain(),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
