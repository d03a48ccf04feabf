/**
 * Sets of live entries shared by every server process: which processes hold
 * a connection of a user, which clients watch a channel. An entry is live
 * until removed, or, in a shared store, until its holder stops refreshing it
 * (a crashed process's entries lapse on their own).
 */
export interface PresenceStore {
  readonly kind: 'memory' | 'redis';
  /** Adds or renews `field` in set `key`; answers how many other live entries the set had. */
  add(key: string, field: string, info: string): Promise<number>;
  /** Removes `field` from set `key`; answers how many live entries remain. */
  remove(key: string, field: string): Promise<number>;
  /** Adds or renews `field` without counting the others: one write, for sets nobody waits to see empty. */
  put(key: string, field: string, info: string): Promise<void>;
  /** Removes `field` without counting what remains. */
  drop(key: string, field: string): Promise<void>;
  /** The live entries of set `key`: field → info. */
  list(key: string): Promise<Map<string, string>>;
  /** Which of `keys` have at least one live entry. */
  nonEmpty(keys: string[]): Promise<boolean[]>;
  /** Renews entries this process holds, so that they do not lapse. */
  refresh(entries: ReadonlyArray<readonly [key: string, field: string, info: string]>): Promise<void>;
  close(): Promise<void>;
}

/** How long an entry lives without a refresh, in a shared store. */
export const PRESENCE_TTL_MS = 60_000;
/** How often a process renews its entries: well inside the lifetime. */
export const PRESENCE_REFRESH_MS = 20_000;
