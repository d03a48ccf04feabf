/** Parses a JSON column: SQLite returns text, PostgreSQL's jsonb arrives parsed. */
export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** 0/1 flag columns to booleans and back. */
export const flag = {
  read: (value: number): boolean => value !== 0,
  write: (value: boolean): number => (value ? 1 : 0),
};
