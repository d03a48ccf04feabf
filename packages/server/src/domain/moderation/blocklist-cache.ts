import type { AppRecord } from '../auth/apps.js';
import type { Tx } from '../events/batch-end.js';
import { type CompiledBlocklists, compileBlocklists } from './blocklist-matcher.js';
import { type BlocklistRecord, readBlocklists } from './blocklist-records.js';

/**
 * Words and patterns the compiled lists of all apps may hold together in one
 * process (about 100 bytes each compiled: some 50 MB); past it the least
 * recently used apps go, but never the one just compiled. An app's own
 * limit is 50 lists of 10,000 words: one such app fits.
 */
const MAX_WEIGHT = 500_000;

interface Entry {
  /** The app's `blocklistsVersion` the lists are at least as new as. */
  version: number;
  compiled: CompiledBlocklists;
  /** Its words and patterns, counted against `MAX_WEIGHT`. */
  weight: number;
}

/** Compiled lists per app, in order of use (a Map keeps insertion order: a hit is moved to the end). */
const compiledByApp = new Map<string, Entry>();
let totalWeight = 0;

function forget(appId: string): void {
  const entry = compiledByApp.get(appId);
  if (!entry) return;
  compiledByApp.delete(appId);
  totalWeight -= entry.weight;
}

function keep(appId: string, entry: Entry): void {
  forget(appId);
  compiledByApp.set(appId, entry);
  totalWeight += entry.weight;
  for (const oldest of compiledByApp.keys()) {
    if (totalWeight <= MAX_WEIGHT || oldest === appId) break;
    forget(oldest);
  }
}

const weightOf = (lists: readonly BlocklistRecord[]): number => lists.reduce((sum, l) => sum + l.words.length + l.patterns.length, 1);

/**
 * The app's lists, compiled once per `blocklistsVersion` and kept in memory.
 * The app row every request reads carries the version, so a change on
 * another process is seen on the next request, with no message between
 * processes. The lists are read after that row, so they are at least as new
 * as its version: an entry serves any request whose version is not newer.
 */
export async function compiledBlocklistsOf(db: Tx, app: AppRecord): Promise<CompiledBlocklists> {
  const cached = compiledByApp.get(app.id);
  if (cached && cached.version >= app.blocklistsVersion) {
    compiledByApp.delete(app.id);
    compiledByApp.set(app.id, cached);
    return cached.compiled;
  }
  const lists = await readBlocklists(db, app.id);
  const compiled = compileBlocklists(lists);
  // Two requests may compile at once: a newer version that finished first stays.
  const current = compiledByApp.get(app.id);
  if (!current || current.version <= app.blocklistsVersion) keep(app.id, { version: app.blocklistsVersion, compiled, weight: weightOf(lists) });
  return compiled;
}
