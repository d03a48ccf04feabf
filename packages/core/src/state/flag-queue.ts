import type { Flag, FlagsPage } from '@chatsdk/protocol';
import { Store, type ReadableStore } from '../store.js';

/** Snapshot of the review queue. */
export interface FlagQueueState {
  /** Pending flags, oldest first (a queue). */
  flags: readonly Flag[];
  /** Cursor of the next page; null at the end. */
  next: string | null;
  /** A page is being loaded. */
  loading: boolean;
  /** The first page has been loaded. */
  ready: boolean;
  /** Why the last load failed (a user who is not a moderator gets `forbidden`). */
  error: unknown;
}

/** Oldest first, as the server pages the pending queue; ties by id, so the order is stable. */
function queued(flags: Flag[]): Flag[] {
  return flags.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

/**
 * The pending review queue of a moderator: loaded with `reload()`, kept
 * current by `moderation.flagged` events (a new flag joins it, a flag
 * reported again is replaced by its newer copy) and by this client's
 * reviews (a reviewed flag leaves it).
 */
export class FlagQueueStore implements ReadableStore<FlagQueueState> {
  private readonly store = new Store<FlagQueueState>({ flags: [], next: null, loading: false, ready: false, error: undefined });
  /** Bound, for `useSyncExternalStore`. */
  readonly subscribe = this.store.subscribe;
  /** Bound, for `useSyncExternalStore`. */
  readonly getSnapshot = this.store.getSnapshot;

  /** Flags put since the current load began: the page on its way is older than they are. */
  private readonly arrived = new Set<string>();

  constructor(private readonly fetchPage: (cursor?: string) => Promise<FlagsPage>) {}

  /** Loads the first page of pending flags. */
  async reload(): Promise<void> {
    await this.load(undefined);
  }

  /** Loads the next page, if there is one. */
  async loadMore(): Promise<void> {
    const { next, loading } = this.getSnapshot();
    if (next && !loading) await this.load(next);
  }

  /** A flag as an event or a call answered it: pending ones are (re)placed in the queue, reviewed ones leave it. */
  put(flag: Flag): void {
    this.arrived.add(flag.id);
    this.store.update((state) => {
      const rest = state.flags.filter((item) => item.id !== flag.id);
      return { ...state, flags: flag.status === 'pending' ? queued([...rest, flag]) : rest };
    });
  }

  /** Takes a flag out of the queue (reviewed here). */
  remove(id: string): void {
    this.arrived.add(id);
    this.store.update((state) => (state.flags.some((item) => item.id === id) ? { ...state, flags: state.flags.filter((item) => item.id !== id) } : state));
  }

  /** Forgets everything (a logout). */
  reset(): void {
    this.store.set({ flags: [], next: null, loading: false, ready: false, error: undefined });
  }

  private async load(cursor: string | undefined): Promise<void> {
    this.store.update((state) => ({ ...state, loading: true }));
    this.arrived.clear();
    try {
      const page = await this.fetchPage(cursor);
      this.store.update((state) => {
        // A reload replaces the queue, but flags events brought while the page was on its way are newer than it.
        const byId = new Map((cursor ? state.flags : state.flags.filter((flag) => this.arrived.has(flag.id))).map((flag) => [flag.id, flag]));
        for (const flag of page.flags) if (!this.arrived.has(flag.id)) byId.set(flag.id, flag);
        return { flags: queued([...byId.values()].filter((flag) => flag.status === 'pending')), next: page.next, loading: false, ready: true, error: undefined };
      });
    } catch (error) {
      this.store.update((state) => ({ ...state, loading: false, error }));
      throw error;
    }
  }
}
