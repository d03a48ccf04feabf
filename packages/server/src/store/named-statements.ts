import type pg from 'pg';

/** Distinct statement texts given a name, per process; past it, statements go unnamed as before. */
const MAX_NAMED = 2000;

/**
 * Gives every parameterised statement a name derived from its text, so that
 * each PostgreSQL connection parses (and, once its plan settles, plans) it
 * once instead of on every execution: Kysely sends the same text for the
 * same query shape, and unnamed statements cost PostgreSQL a parse and a plan
 * per call. Statements without parameters (BEGIN, COMMIT, DDL) stay unnamed.
 * The number of names is bounded: texts that vary with their input (IN lists
 * of every length) stop getting names once the bound is reached.
 */
export function nameStatements(pool: pg.Pool): void {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `chatsdk_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
      if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
        const name = nameOf(text);
        if (name !== undefined) return query({ name, text, values }, ...rest);
      }
      return query(text, values, ...rest);
    };
  });
}
