import { ChatError } from '../errors.js';
import { Store } from '../store.js';
import { backgroundTimer, backoff, newId } from '../util.js';
import type { OutboxEntry, OutboxOperation, OutboxStorage } from './storage.js';

/** What the outbox reports as entries finish. */
export interface OutboxHooks {
  /** The server took the write; `result` is its answer. */
  done(entry: OutboxEntry, result: unknown): void;
  /** The write was refused, or failed on every retry: it leaves the outbox. */
  failed(entry: OutboxEntry, error: ChatError): void;
}

interface Waiter {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/**
 * The queue of writes: persisted first, sent strictly one after another in
 * the order they were made. A write that cannot reach the server waits (for
 * the connection to return, or a backoff) without using up its attempts; a
 * server error is retried `maxAttempts` times; a refusal (4xx) fails it at
 * once. Sends are idempotent by their client-chosen id, so a retry after a
 * lost answer never duplicates a message.
 */
export class Outbox {
  /** The writes not yet taken by the server, oldest first. */
  readonly entries = new Store<readonly OutboxEntry[]>([]);
  private readonly waiters = new Map<string, Waiter>();
  private loaded: Promise<void> | undefined;
  private running = false;
  /** Sending unless the client disconnected: a client used over REST alone sends too. */
  private active = true;
  private wake: (() => void) | undefined;
  private lastOrder = 0;
  private storageChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: OutboxStorage,
    private readonly scope: () => string,
    private readonly execute: (op: OutboxOperation, entry: OutboxEntry) => Promise<unknown>,
    private readonly hooks: OutboxHooks,
    private readonly maxAttempts = 3,
  ) {}

  /** Loads persisted writes of this user and starts sending. */
  start(): Promise<void> {
    this.active = true;
    const loaded = this.load();
    void loaded.then(() => this.run());
    return loaded;
  }

  /** Stops sending after the write in flight; entries stay persisted. */
  stop(): void {
    this.active = false;
    this.loaded = undefined;
    this.nudge();
  }

  /** The network may be back: retry a waiting write now. */
  nudge(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Queues a write; resolves with the server's answer once it is taken. */
  enqueue(op: OutboxOperation): Promise<unknown> {
    this.lastOrder = Math.max(this.lastOrder + 1, Date.now() * 1000);
    const entry: OutboxEntry = { id: newId(), order: this.lastOrder, op, createdAt: new Date().toISOString() };
    this.entries.update((list) => [...list, entry]);
    const scope = this.scope();
    this.persist(() => this.storage.put(scope, entry));
    const result = new Promise<unknown>((resolve, reject) => this.waiters.set(entry.id, { resolve, reject }));
    if (this.active) void this.load().then(() => this.run());
    return result;
  }

  /** The entry `id`, while it waits. */
  get(id: string): OutboxEntry | undefined {
    return this.entries.getSnapshot().find((entry) => entry.id === id);
  }

  /** Changes a waiting write (a file of it uploaded, or canceled) and persists the change. */
  update(id: string, change: (op: OutboxOperation) => OutboxOperation): void {
    const entry = this.get(id);
    if (!entry) return;
    const next = { ...entry, op: change(entry.op) };
    this.entries.update((list) => list.map((item) => (item.id === id ? next : item)));
    const scope = this.scope();
    this.persist(() => this.storage.put(scope, next));
  }

  /** Takes a write out without sending it (every file of a message canceled): its promise rejects with `error`. */
  drop(id: string, error: ChatError): void {
    const entry = this.get(id);
    if (!entry) return;
    this.entries.update((list) => list.filter((item) => item.id !== id));
    const scope = this.scope();
    this.persist(() => this.storage.remove(scope, id));
    this.settle(entry, error);
  }

  /** Forgets every write of this user, here and in storage. */
  async clear(): Promise<void> {
    const scope = this.scope();
    for (const entry of this.entries.getSnapshot()) this.settle(entry, new ChatError('client_closed', 'the outbox was cleared'));
    this.entries.set([]);
    await this.persist(() => this.storage.clear(scope));
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      // Storage that cannot be read (a browser's private mode, say) leaves the outbox in memory only.
      const stored = await this.storage.load(this.scope()).catch(() => []);
      const known = new Set(this.entries.getSnapshot().map((entry) => entry.id));
      const merged = [...this.entries.getSnapshot(), ...stored.filter((entry) => !known.has(entry.id))].sort((a, b) => a.order - b.order);
      for (const entry of merged) this.lastOrder = Math.max(this.lastOrder, entry.order);
      this.entries.set(merged);
    })();
    return this.loaded;
  }

  /** Storage writes happen in the order they were asked for (a put never lands after its remove). */
  private persist(work: () => Promise<void>): Promise<void> {
    const next = this.storageChain.then(work, work);
    this.storageChain = next.catch(() => undefined);
    return next.catch(() => undefined);
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let attempts = 0;
      while (this.active) {
        const entry = this.entries.getSnapshot()[0];
        if (!entry) break;
        try {
          const result = await this.execute(entry.op, entry);
          attempts = 0;
          // As it is now (a send with files records their uploads); gone if it was dropped while it ran.
          const live = this.get(entry.id);
          if (live) this.finish(live, result);
        } catch (caught) {
          const live = this.get(entry.id);
          if (!live) continue;
          const error = caught instanceof ChatError ? caught : new ChatError('invalid_response', String(caught), 0, undefined, { cause: caught });
          if (error.isNetwork) {
            // Offline is not a failure: wait for the connection (or try again after a while).
            await this.pause(backoff(attempts++, 10_000));
          } else if (error.status === 401) {
            // Reported as `unauthorized`; new tokens or a reconnect wake the queue.
            await this.pause(60_000);
          } else if (error.isTransient && ++attempts < this.maxAttempts) {
            await this.pause(backoff(attempts));
          } else {
            attempts = 0;
            this.finish(live, undefined, error);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = backgroundTimer(() => this.nudge(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private finish(entry: OutboxEntry, result: unknown, error?: ChatError): void {
    this.entries.update((list) => list.filter((item) => item.id !== entry.id));
    const scope = this.scope();
    this.persist(() => this.storage.remove(scope, entry.id));
    if (error) this.hooks.failed(entry, error);
    else this.hooks.done(entry, result);
    this.settle(entry, error, result);
  }

  private settle(entry: OutboxEntry, error?: ChatError, result?: unknown): void {
    const waiter = this.waiters.get(entry.id);
    this.waiters.delete(entry.id);
    if (!waiter) return;
    if (error) waiter.reject(error);
    else waiter.resolve(result);
  }
}
