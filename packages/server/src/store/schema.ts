import type { ColumnType } from 'kysely';

/**
 * Tables as Kysely sees them. Timestamps are integer milliseconds since the
 * epoch in both dialects (PostgreSQL `bigint`, parsed to `number`), so no
 * code path depends on a dialect's date type.
 */
export interface Database {
  apps: AppsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
}

/** JSON stored as `text` in SQLite and `jsonb` in PostgreSQL: written as a string, read as either. */
export type JsonColumn = ColumnType<unknown, string, string>;

export interface AppsTable {
  id: string;
  name: string;
  /** HS256 signing secret of the app's tokens; never leaves the server. */
  jwt_secret: string;
  token_ttl_seconds: number;
  /** JSON array of origins; empty allows every origin. */
  allowed_origins: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  app_id: string;
  /** SHA-256 of the key, hex: the key itself is never stored. */
  key_hash: string;
  hint: string;
  created_at: number;
  /** Set when the key is rotated: it keeps working until then. */
  expires_at: number | null;
  revoked_at: number | null;
}

export interface UsersTable {
  app_id: string;
  id: string;
  name: string | null;
  image: string | null;
  custom: JsonColumn;
  role: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** Tokens issued before this instant (ms) are refused. */
  tokens_valid_after: number | null;
}
