import type { SendMessageBody, SendReactionBody, UpdateMessageBody } from '@chatsdk/protocol';

/** A write waiting in the outbox. Sends carry their client-chosen id, so sending one twice is harmless. */
export type OutboxOperation =
  | { kind: 'send'; channelId: string; body: SendMessageBody & { id: string } }
  | { kind: 'edit'; channelId: string; messageId: string; body: UpdateMessageBody }
  | { kind: 'delete'; channelId: string; messageId: string }
  | { kind: 'react'; channelId: string; messageId: string; body: SendReactionBody }
  | { kind: 'unreact'; channelId: string; messageId: string; type: string };

/** One persisted outbox entry. */
export interface OutboxEntry {
  id: string;
  /** Entries are flushed by ascending `order`. */
  order: number;
  op: OutboxOperation;
  createdAt: string;
}

/**
 * Where the outbox keeps its entries across reloads. `scope` names one user
 * of one server, so two users of one device never see each other's writes.
 */
export interface OutboxStorage {
  load(scope: string): Promise<OutboxEntry[]>;
  put(scope: string, entry: OutboxEntry): Promise<void>;
  remove(scope: string, id: string): Promise<void>;
  clear(scope: string): Promise<void>;
}

/** Outbox storage in memory: it outlives a client (not the process), so a reconnecting client finds its writes. */
export function memoryStorage(): OutboxStorage {
  const scopes = new Map<string, Map<string, OutboxEntry>>();
  // Entries are JSON; a copy keeps callers from changing what is stored (structuredClone is missing on React Native).
  const copy = (entry: OutboxEntry): OutboxEntry => JSON.parse(JSON.stringify(entry)) as OutboxEntry;
  const of = (scope: string) => {
    let entries = scopes.get(scope);
    if (!entries) scopes.set(scope, (entries = new Map()));
    return entries;
  };
  return {
    async load(scope) {
      return [...of(scope).values()].map(copy);
    },
    async put(scope, entry) {
      of(scope).set(entry.id, copy(entry));
    },
    async remove(scope, id) {
      of(scope).delete(id);
    },
    async clear(scope) {
      scopes.delete(scope);
    },
  };
}

let shared: OutboxStorage | undefined;

/** The process-wide memory storage that clients share when nothing else is given. */
export function sharedMemoryStorage(): OutboxStorage {
  shared ??= memoryStorage();
  return shared;
}
