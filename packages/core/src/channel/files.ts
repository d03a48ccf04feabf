import type { OutboxFile } from '../offline/storage.js';
import type { SendOperation } from '../uploads/file-sender.js';
import { previewUrl } from '../uploads/files.js';
import type { LocalFile } from '../uploads/types.js';
import { type ChannelStores, windowsOf } from './apply-event.js';

/** How an unsent message shows its files: uploaded ones done, the others queued, each with a local preview where there is one. */
export function localFiles(files: readonly OutboxFile[]): LocalFile[] {
  return files.map((file) => {
    const local: LocalFile = { id: file.id, name: file.name, size: file.size, mimeType: file.mimeType, kind: file.kind, loaded: file.uploadId ? file.size : 0, state: file.uploadId ? 'done' : 'queued' };
    const preview = previewUrl(file);
    if (preview) local.previewUrl = preview;
    return local;
  });
}

/** Changes one file of an unsent message wherever the message shows (a new snapshot: only its row renders again). */
export function patchFile(stores: ChannelStores, op: SendOperation, fileId: string, change: Partial<LocalFile>): void {
  for (const window of windowsOf(stores, op.body.parentId ?? null)) {
    window.patch(op.body.id, (message) => {
      if (message.status === 'sent' || !message.files) return message;
      const files = message.files.map((file) => {
        if (file.id !== fileId) return file;
        const next = { ...file, ...change };
        if (change.state && change.state !== 'failed') delete next.error;
        return next;
      });
      return { ...message, files };
    });
  }
}

/** Takes a canceled file off an unsent message. */
export function removeFile(stores: ChannelStores, op: SendOperation, fileId: string): void {
  for (const window of windowsOf(stores, op.body.parentId ?? null)) {
    window.patch(op.body.id, (message) => (message.files ? { ...message, files: message.files.filter((file) => file.id !== fileId) } : message));
  }
}
