import type { AppRecord } from '../auth/apps.js';
import type { Tx } from '../events/batch-end.js';
import { type CompiledBlocklists, compileBlocklists } from './blocklist-matcher.js';
import { readBlocklists } from './blocklist-records.js';

/** Apps whose compiled lists a process keeps; past it, the least recently used goes. */
const MAX_APPS = 500;

interface Entry {
  /** The app's `blocklistsVersion` the lists are at least as new as. */
  version: number;
  compiled: CompiledBlocklists;
}

/** Compiled lists per app, in order of use (a Map keeps insertion order: a hit is moved to the end). */
const compiledByApp = new Map<string, Entry>();

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
  const compiled = compileBlocklists(await readBlocklists(db, app.id));
  // Two requests may compile at once: a newer version that finished first stays.
  const current = compiledByApp.get(app.id);
  if (current && current.version > app.blocklistsVersion) return compiled;
  compiledByApp.delete(app.id);
  compiledByApp.set(app.id, { version: app.blocklistsVersion, compiled });
  if (compiledByApp.size > MAX_APPS) {
    const oldest = compiledByApp.keys().next();
    if (!oldest.done) compiledByApp.delete(oldest.value);
  }
  return compiled;
}
