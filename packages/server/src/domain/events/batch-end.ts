import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

/** A transaction in which changes and their events are written together. */
export type Tx = Kysely<Database>;

/** Writes that work left for the end of its transaction; must be safe to run once only. */
export type BatchEndWriter = (trx: Tx) => Promise<void>;

const writersOf = new WeakMap<Tx, Set<BatchEndWriter>>();

/**
 * Registers `writer` to run at the end of the transaction `trx` (before its
 * commit, or earlier when other work needs to see its writes). Code that
 * defers writes registers here, so the transaction machinery runs it without
 * knowing it: messages/ depends on events/, never the reverse. Registering the
 * same writer twice for one transaction runs it once.
 */
export function atBatchEnd(trx: Tx, writer: BatchEndWriter): void {
  let writers = writersOf.get(trx);
  if (!writers) writersOf.set(trx, (writers = new Set()));
  writers.add(writer);
}

/**
 * Runs and forgets the writers registered for `trx`, in registration order.
 * Called before every commit and before work that writes directly, so that it
 * sees what was deferred before it.
 */
export async function runBatchEndWriters(trx: Tx): Promise<void> {
  const writers = writersOf.get(trx);
  if (!writers) return;
  writersOf.delete(trx);
  for (const writer of writers) await writer(trx);
}
