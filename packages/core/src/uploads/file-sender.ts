import type { Attachment } from '@chatsdk/protocol';
import type { UploadsApi } from '../api/uploads.js';
import { ChatError } from '../errors.js';
import type { RequestManager } from '../http/requests.js';
import { sendOperation } from '../offline/operations.js';
import type { Outbox } from '../offline/outbox.js';
import type { OutboxFile, OutboxOperation } from '../offline/storage.js';
import { releasePreviews } from './files.js';
import type { LocalFile } from './types.js';

/** A queued send. */
export type SendOperation = Extract<OutboxOperation, { kind: 'send' }>;

/** A file of an unsent message changed: the channel shows it. */
export type FileChanged = (op: SendOperation, fileId: string, change: Partial<LocalFile>) => void;

const isCanceled = (error: unknown) => error instanceof ChatError && error.code === 'aborted';

/**
 * Sends messages with files, as one outbox write: the files not uploaded yet
 * are uploaded (together), each upload's id saved in the entry as it comes,
 * then the message is sent referencing them. A retry (after a network error,
 * or a crash) uploads only what has no id yet, and the message keeps its id,
 * so nothing is uploaded or sent twice.
 */
export class FileSender {
  private readonly uploading = new Map<string, AbortController>();
  /** Messages whose send request is out: too late to cancel a file. */
  private readonly posting = new Set<string>();

  constructor(
    private readonly uploads: UploadsApi,
    private readonly outbox: Outbox,
    private readonly requests: RequestManager,
    private readonly changed: FileChanged,
  ) {}

  /** Runs the outbox entry `entryId`, a send with files. */
  async send(op: SendOperation, entryId: string, again = false): Promise<unknown> {
    const waiting = (op.files ?? []).filter((file) => !file.uploadId);
    const results = await Promise.allSettled(waiting.map((file) => this.upload(op, entryId, file)));
    const live = this.outbox.get(entryId)?.op;
    if (live?.kind !== 'send') throw new ChatError('aborted', 'the message was canceled');
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected' && !isCanceled(result.reason));
    if (failure) throw failure.reason;
    const files = live.files ?? [];
    if (files.some((file) => !file.uploadId)) throw new ChatError('network_error', 'a file is not uploaded yet');
    const attachments: Attachment[] = [...(live.body.attachments ?? []), ...files.map((file) => ({ type: file.kind, uploadId: file.uploadId }))];
    this.posting.add(live.body.id);
    try {
      return await sendOperation(this.requests, { ...live, body: { ...live.body, attachments } });
    } catch (error) {
      // The server removes uploads left unattached for a day: a message queued longer uploads its files again, once.
      if (again || !(error instanceof ChatError) || error.code !== 'upload_not_found' || !files.every((file) => file.data || file.uri)) throw error;
      this.outbox.update(entryId, (current) => (current.kind === 'send' ? { ...current, files: current.files?.map(({ uploadId: _gone, ...file }) => file) } : current));
      const renewed = this.outbox.get(entryId)?.op;
      if (renewed?.kind !== 'send') throw error;
      this.posting.delete(live.body.id);
      return this.send(renewed, entryId, true);
    } finally {
      this.posting.delete(live.body.id);
    }
  }

  /**
   * Takes a file out of an unsent message (queued in the outbox, or `failed`
   * as given): its upload is aborted, or deleted if it was done. Answers the
   * send without it, null when nothing is left to send (the entry is
   * dropped), or false when it is too late or there is no such file.
   */
  cancel(messageId: string, fileId: string, failed: SendOperation | undefined): SendOperation | null | false {
    const entry = this.outbox.entries.getSnapshot().find((item) => item.op.kind === 'send' && item.op.body.id === messageId);
    const op = entry?.op.kind === 'send' ? entry.op : failed;
    const file = op?.files?.find((item) => item.id === fileId);
    if (!op || !file || this.posting.has(messageId)) return false;
    this.uploading.get(fileId)?.abort();
    if (file.uploadId) this.uploads.delete(file.uploadId).catch(() => undefined);
    releasePreviews([file]);
    const next: SendOperation = { ...op, files: (op.files ?? []).filter((item) => item !== file) };
    const empty = next.files?.length === 0 && !op.body.text?.trim() && !op.body.attachments?.length;
    if (entry && empty) this.outbox.drop(entry.id, new ChatError('aborted', 'every file of the message was canceled'));
    else if (entry) this.outbox.update(entry.id, (current) => (current.kind === 'send' ? { ...current, files: current.files?.filter((item) => item.id !== fileId) } : current));
    return empty ? null : next;
  }

  private async upload(op: SendOperation, entryId: string, file: OutboxFile): Promise<void> {
    const controller = new AbortController();
    this.uploading.set(file.id, controller);
    this.changed(op, file.id, { state: 'uploading', loaded: 0 });
    try {
      const upload = await this.uploads.send(file, { channelId: op.channelId, signal: controller.signal, onProgress: ({ loaded }) => this.changed(op, file.id, { loaded }) });
      const kept = this.outbox.get(entryId)?.op;
      if (kept?.kind !== 'send' || !kept.files?.some((item) => item.id === file.id)) {
        // Canceled as it finished: the server keeps nothing nobody references.
        this.uploads.delete(upload.id).catch(() => undefined);
        throw new ChatError('aborted', 'the file was canceled');
      }
      // Saved at once: a retry after a crash finds the id and does not upload the file again. The kind is the
      // server's, sniffed from the bytes: a send naming another (an image that is not one) would be refused.
      const uploaded = { uploadId: upload.id, kind: upload.type };
      this.outbox.update(entryId, (current) => (current.kind === 'send' ? { ...current, files: current.files?.map((item) => (item.id === file.id ? { ...item, ...uploaded } : item)) } : current));
      this.changed(op, file.id, { state: 'done', loaded: upload.size });
    } catch (caught) {
      const error = caught instanceof ChatError ? caught : new ChatError('network_error', String(caught), 0, undefined, { cause: caught });
      if (!isCanceled(error)) this.changed(op, file.id, error.isTransient || error.status === 401 ? { state: 'queued' } : { state: 'failed', error });
      throw error;
    } finally {
      this.uploading.delete(file.id);
    }
  }
}
