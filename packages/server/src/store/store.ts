import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import type { SecretBox } from './secret-box.js';

/** Which database a store runs on. */
export type StoreKind = 'sqlite' | 'postgres';

/**
 * The few places where SQL differs between the two dialects. Everything else
 * is written once with Kysely.
 */
export interface DialectHelpers {
  /** The JSON text of `column -> key` (`"abc"`, `5`, `true`), comparable across dialects. */
  jsonFieldText(column: string, key: string): RawBuilder<string | null>;
  /** True when `error` is a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
  /** True when `error` means the database cannot be reached at all. */
  isUnavailable(error: unknown): boolean;
}

/** An open database with its dialect's helpers. */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly dialect: DialectHelpers;
  /** A human-readable description without credentials, for logs and health. */
  readonly description: string;
  /** Seals secrets before they are written and opens them when read (see secret-box.ts). */
  readonly secrets: SecretBox;
  /** Round-trips a trivial query; throws when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
