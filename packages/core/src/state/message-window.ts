import type { ListMessagesQuery, Message, MessagesPage } from '@chatsdk/protocol';
import { Store, type ReadableStore } from '../store.js';
import { fromServer, type LocalMessage, patch, upsert, upsertAll, without } from './message-list.js';

/** Snapshot of a window of messages: the newest ones, extended backwards by paging. */
export interface MessageWindowState {
  /** Oldest first; unsent messages of this device at the end. */
  messages: readonly LocalMessage[];
  /** The server has older messages than the window holds. */
  hasOlder: boolean;
  /** The newest page has been loaded at least once. */
  ready: boolean;
  /** A page is being loaded. */
  loading: boolean;
}

/** Reads one page of messages (newest first, as the API answers). */
export type PageLoader = (query: ListMessagesQuery) => Promise<MessagesPage>;

/** The API's largest page of messages. */
const MAX_PAGE = 200;

const EMPTY: MessageWindowState = { messages: [], hasOlder: false, ready: false, loading: false };

/**
 * A channel's (or thread's) message window. Loads the newest page, pages
 * older on demand, and takes every change from events or answers by message
 * id, so nothing ever shows twice.
 */
export class MessageWindow implements ReadableStore<MessageWindowState> {
  private readonly store = new Store<MessageWindowState>(EMPTY);
  /** Bound: `useSyncExternalStore(window.subscribe, window.getSnapshot)`. */
  readonly subscribe = this.store.subscribe;
  /** Bound: `useSyncExternalStore(window.subscribe, window.getSnapshot)`. */
  readonly getSnapshot = this.store.getSnapshot;

  constructor(
    private readonly loadPage: PageLoader,
    /** Whether a message belongs in this window (the channel's main list, or one thread). */
    readonly accepts: (message: Message) => boolean,
    private readonly pageSize = 30,
  ) {}

  /**
   * (Re)loads the newest page; unsent messages of this device stay, and so
   * do newer messages that events brought in meanwhile, unless the caller
   * holds those events back to apply after (`keepNewer: false`).
   */
  async reload(keepNewer = true): Promise<void> {
    this.store.update((state) => ({ ...state, loading: true }));
    try {
      // As many as the window held (up to a full page of the API), so a reload does not shrink what the user scrolled to.
      const held = this.getSnapshot().messages.filter((message) => message.status === 'sent').length;
      const page = await this.loadPage({ limit: Math.min(MAX_PAGE, Math.max(this.pageSize, held)) });
      this.store.update((state) => {
        const loaded = page.messages.map((message) => fromServer(message, state.messages.find((item) => item.id === message.id)));
        const newest = loaded.reduce((max, message) => Math.max(max, message.seq), 0);
        const ids = new Set(loaded.map((message) => message.id));
        // Kept: this device's unsent messages, and what events brought in while the page was on its way.
        const kept = state.messages.filter((message) => !ids.has(message.id) && (message.status !== 'sent' || (keepNewer && message.seq > newest)));
        return { messages: upsertAll(loaded, kept), hasOlder: page.hasMore, ready: true, loading: false };
      });
    } catch (error) {
      this.store.update((state) => ({ ...state, loading: false }));
      throw error;
    }
  }

  /** Loads the page before the oldest message held; resolves to whether older ones remain. */
  async loadOlder(limit = this.pageSize): Promise<boolean> {
    const oldest = this.getSnapshot().messages.find((message) => message.seq > 0);
    if (!oldest) {
      await this.reload();
      return this.getSnapshot().hasOlder;
    }
    this.store.update((state) => ({ ...state, loading: true }));
    try {
      const page = await this.loadPage({ before: oldest.seq, limit });
      this.store.update((state) => ({
        ...state,
        messages: upsertAll(state.messages, page.messages.filter((message) => !state.messages.some((item) => item.id === message.id)).map((message) => fromServer(message))),
        hasOlder: page.hasMore,
        loading: false,
      }));
      return page.hasMore;
    } catch (error) {
      this.store.update((state) => ({ ...state, loading: false }));
      throw error;
    }
  }

  /** The message `id`, if the window holds it. */
  get(id: string): LocalMessage | undefined {
    return this.getSnapshot().messages.find((message) => message.id === id);
  }

  /** Puts a message of this device in (optimistic, or its new local state). */
  putLocal(message: LocalMessage): void {
    if (!this.accepts(message)) return;
    this.store.update((state) => ({ ...state, messages: upsert(state.messages, message) }));
  }

  /**
   * Takes a message as the server knows it. `fromEvent`: events carry no
   * `ownReactions`, which are kept. A message older than the window (and not
   * in it) is not pulled in.
   */
  putServer(message: Message, fromEvent: boolean): void {
    if (!this.accepts(message)) {
      // A reply that stopped showing in the channel, say: it leaves this window.
      this.remove(message.id);
      return;
    }
    this.store.update((state) => {
      const previous = state.messages.find((item) => item.id === message.id);
      if (!previous && state.hasOlder) {
        const oldest = state.messages.find((item) => item.seq > 0);
        if (oldest && message.seq < oldest.seq) return state;
      }
      return { ...state, messages: upsert(state.messages, fromServer(message, previous, fromEvent)) };
    });
  }

  /** Changes one message in place (as a new snapshot). */
  patch(id: string, change: (message: LocalMessage) => LocalMessage): void {
    this.store.update((state) => {
      const messages = patch(state.messages, id, change);
      return messages === state.messages ? state : { ...state, messages };
    });
  }

  /** Drops a message (hard delete). */
  remove(id: string): void {
    this.store.update((state) => {
      const messages = without(state.messages, id);
      return messages === state.messages ? state : { ...state, messages };
    });
  }

  /** Drops every message the server sent (a truncate); unsent ones stay. */
  clearSent(): void {
    this.store.update((state) => ({ ...state, messages: state.messages.filter((message) => message.status !== 'sent'), hasOlder: false }));
  }
}
