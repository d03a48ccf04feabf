import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** One unit of work waiting for a commit. `attempt` may run more than once: it must start afresh each time. */
interface Pending<T> {
  attempt: (trx: Transaction<Database>) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** Options of a batcher. */
export interface CommitBatcherOptions {
  /** Batches of keyed work that may run at once, each on its own connection; work without a key has one more lane. */
  lanes: number;
  /** Units of work in one transaction at most. */
  maxBatch: number;
  /** Runs after the last unit, before the commit: for writes the units left to the end of the transaction. */
  beforeCommit?: (trx: Transaction<Database>) => Promise<void>;
}

/** Thrown inside a batch to abandon it; carries the index of the unit that failed. */
class UnitFailed extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super('a unit of a batch failed');
  }
}

/**
 * Group commit. Writers that arrive while a transaction is running wait, and
 * then run one after another inside the next single transaction: a synced
 * commit (about 0.3 ms on PostgreSQL, an fsync of the WAL on SQLite) is paid
 * once per batch instead of once per write.
 *
 * Each unit sees the ones before it as if they had committed, so a batch is
 * the same as running its units one by one. When a unit fails, the whole
 * transaction is rolled back (PostgreSQL cannot go on after an error, and a
 * failed unit may have written half its change); the units before it run
 * again as a batch, the failed one runs alone so that its own error (or
 * success, if its failure came from sharing) is what its caller sees, and the
 * rest are batched again. Nobody is answered before their commit.
 *
 * Work is spread over lanes by a key (the channel): the same key always takes
 * the same lane, so writers to one channel never wait on one another's row
 * locks from two lanes, and lanes run in parallel on PostgreSQL. Work whose
 * channel is not known beforehand (a reaction names a message) has a lane of
 * its own; should it meet a keyed lane in a lock cycle, PostgreSQL aborts one
 * side, whose batch is then split and run again as above.
 */
export class CommitBatcher {
  /** Transactions committed, and the units of work they carried: their ratio is the batching achieved. */
  readonly stats = { commits: 0, units: 0 };
  private readonly queues: Pending<unknown>[][];
  private readonly busy: boolean[];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: CommitBatcherOptions,
  ) {
    this.queues = Array.from({ length: options.lanes + 1 }, () => []);
    this.busy = Array.from({ length: options.lanes + 1 }, () => false);
  }

  /** Runs `attempt` in a shared transaction and settles once that transaction has committed (or failed). */
  run<T>(key: string, attempt: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const lane = this.laneOf(key);
    return new Promise<T>((resolve, reject) => {
      this.queues[lane]!.push({ attempt, resolve, reject } as Pending<unknown>);
      if (!this.busy[lane]) {
        this.busy[lane] = true;
        // Wait for the rest of this loop turn: the requests read in the same turn join the batch.
        // (A SQLite transaction never yields to I/O, so without this each would commit alone.)
        setImmediate(() => void this.drain(lane));
      }
    });
  }

  private laneOf(key: string): number {
    if (key === '') return this.options.lanes;
    let hash = 0;
    for (let i = 0; i < key.length; i += 1) hash = (hash * 31 + key.charCodeAt(i)) | 0;
    return Math.abs(hash) % this.options.lanes;
  }

  private async drain(lane: number): Promise<void> {
    const queue = this.queues[lane]!;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.options.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.busy[lane] = false;
    }
  }

  /** Commits `batch` as one transaction, splitting it around a unit that fails. */
  private async commitBatch(batch: Pending<unknown>[]): Promise<void> {
    if (batch.length === 0) return;
    if (batch.length === 1) return this.commitAlone(batch[0]!);
    const results: unknown[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (let i = 0; i < batch.length; i += 1) {
          try {
            results.push(await batch[i]!.attempt(trx));
          } catch (error) {
            throw new UnitFailed(i, error);
          }
        }
        await this.options.beforeCommit?.(trx);
      });
    } catch (error) {
      if (!(error instanceof UnitFailed)) {
        // The end of the transaction failed (its deferred writes or the commit): no unit is known
        // to be at fault, so each runs alone.
        for (const unit of batch) await this.commitAlone(unit);
        return;
      }
      await this.commitBatch(batch.slice(0, error.index));
      await this.commitAlone(batch[error.index]!);
      await this.commitBatch(batch.slice(error.index + 1));
      return;
    }
    this.stats.commits += 1;
    this.stats.units += batch.length;
    batch.forEach((unit, i) => unit.resolve(results[i]));
  }

  private async commitAlone(unit: Pending<unknown> | undefined): Promise<void> {
    if (!unit) return;
    try {
      const result = await this.db.transaction().execute(async (trx) => {
        const value = await unit.attempt(trx);
        await this.options.beforeCommit?.(trx);
        return value;
      });
      this.stats.commits += 1;
      this.stats.units += 1;
      unit.resolve(result);
    } catch (error) {
      unit.reject(error);
    }
  }
}

