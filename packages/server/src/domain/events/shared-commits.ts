import { CommitBatcher } from '../../store/commit-batcher.js';
import type { Store } from '../../store/store.js';
import { runBatchEndWriters } from './batch-end.js';

const batchers = new WeakMap<Store, CommitBatcher>();

/** The store's group-commit batcher, shared by every writer of this process. */
export function sharedCommits(store: Store): CommitBatcher {
  let batcher = batchers.get(store);
  if (!batcher) {
    // SQLite has one connection (its two lanes take turns); PostgreSQL runs a few batches at once and leaves the pool room for reads.
    const lanes = store.kind === 'sqlite' ? 1 : 3;
    batcher = new CommitBatcher(store.db, { lanes, maxBatch: 256, beforeCommit: runBatchEndWriters });
    batchers.set(store, batcher);
  }
  return batcher;
}
