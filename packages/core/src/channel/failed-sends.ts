import type { ChatError } from '../errors.js';
import type { SendOperation } from '../uploads/file-sender.js';
import { releasePreviews } from '../uploads/files.js';
import { type ChannelStores, windowsOf } from './apply-event.js';
import { optimisticMessage } from './writes.js';

interface Failed {
  op: SendOperation;
  error: ChatError;
  createdAt: string;
}

/**
 * A channel's sends that failed, kept to retry exactly as they were (another
 * body under the same id would be a conflict; uploaded files are not uploaded
 * again), and shown again when the channel (re)loads: a send of an earlier
 * session may fail before its channel is open, and must not vanish unseen.
 */
export class FailedSends {
  private readonly sends = new Map<string, Failed>();
  /** Why a file failed (too large, no longer available): shown on it when its message is shown again. */
  private readonly fileErrors = new Map<string, ChatError>();

  /** The failed send of message `id`. */
  get(id: string): SendOperation | undefined {
    return this.sends.get(id)?.op;
  }

  /** Keeps a failed send. */
  add(op: SendOperation, error: ChatError, createdAt = new Date().toISOString()): void {
    this.sends.set(op.body.id, { op, error, createdAt });
  }

  /** Replaces the send (a file of it removed). */
  replace(op: SendOperation): void {
    const failed = this.sends.get(op.body.id);
    if (failed) this.sends.set(op.body.id, { ...failed, op });
  }

  /** Forgets a send (retried, or discarded: then its previews go too). */
  take(id: string, discard = false): SendOperation | undefined {
    const op = this.sends.get(id)?.op;
    this.sends.delete(id);
    for (const file of op?.files ?? []) this.fileErrors.delete(file.id);
    if (discard) releasePreviews(op?.files);
    return op;
  }

  /** A file's latest state: a failure is remembered. */
  fileState(fileId: string, error: ChatError | undefined): void {
    if (error) this.fileErrors.set(fileId, error);
    else this.fileErrors.delete(fileId);
  }

  /** Shows every failed send in the windows that lack it, `failed`, with its files' errors. */
  restore(stores: ChannelStores): void {
    for (const { op, error, createdAt } of this.sends.values()) {
      const message = { ...optimisticMessage(op, stores.me(), createdAt), status: 'failed' as const, error };
      if (message.files) message.files = message.files.map((file) => (this.fileErrors.has(file.id) ? { ...file, state: 'failed', error: this.fileErrors.get(file.id) as ChatError } : file));
      for (const window of windowsOf(stores, message.parentId)) if (!window.get(message.id)) window.putLocal(message);
    }
  }
}
