import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept prepared; queries with `in (…)` lists of every length could otherwise grow it without end. */
const CAPACITY = 1000;

/**
 * The database as Kysely's SQLite driver sees it, preparing each distinct
 * SQL text once: Kysely asks for a fresh prepare on every query, and
 * compiling the SQL is a good part of a short query's cost. Statements are
 * only ever run to completion (`all` / `run`), never left half-iterated, so
 * one prepared statement serves every caller in turn.
 */
export function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        // Most recently used last: the first entry is the one to evict.
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= CAPACITY) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
