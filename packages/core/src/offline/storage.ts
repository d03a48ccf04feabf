import type { SendMessageBody, SendReactionBody, UpdateMessageBody, UploadKind } from '@chatsdk/protocol';

/**
 * A file of a queued send: what it is, where its bytes are (a `Blob` kept in
 * memory and IndexedDB, or React Native's `uri`) and, once uploaded, the
 * upload's id, so a retry after a crash does not upload it again.
 */
export interface OutboxFile {
  id: string;
  name: string;
  size: number;
  mimeType: string;
  kind: UploadKind;
  uploadId?: string;
  uri?: string;
  data?: Blob;
}

/** A write waiting in the outbox. Sends carry their client-chosen id, so sending one twice is harmless. */
export type OutboxOperation =
  | { kind: 'send'; channelId: string; body: SendMessageBody & { id: string }; files?: OutboxFile[] }
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

/** The entry as JSON holds it: its files' descriptions without their bytes (a `Blob` serialises to `{}`). */
export function withoutFileData(entry: OutboxEntry): OutboxEntry {
  if (entry.op.kind !== 'send' || !entry.op.files) return entry;
  return { ...entry, op: { ...entry.op, files: entry.op.files.map(({ data: _data, ...file }) => file) } };
}

/** Outbox storage in memory: it outlives a client (not the process), so a reconnecting client finds its writes. */
export function memoryStorage(): OutboxStorage {
  const scopes = new Map<string, Map<string, OutboxEntry>>();
  // A JSON copy keeps callers from changing what is stored (structuredClone is missing on React Native); a file's Blob is kept as it is.
  const copy = (entry: OutboxEntry): OutboxEntry => {
    const copied = JSON.parse(JSON.stringify(withoutFileData(entry))) as OutboxEntry;
    const blobs = entry.op.kind === 'send' ? entry.op.files?.map((file) => file.data) : undefined;
    if (copied.op.kind === 'send' && blobs) copied.op.files = copied.op.files?.map((file, i) => (blobs[i] ? { ...file, data: blobs[i] } : file));
    return copied;
  };
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
