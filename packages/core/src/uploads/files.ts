import { ChatError } from '../errors.js';
import type { OutboxFile } from '../offline/storage.js';
import { newId } from '../util.js';
import type { UploadKind } from '@chatsdk/protocol';
import type { FileBytes, FileInput, NativeFile } from './types.js';

type BlobClass = new (parts: ArrayBuffer[] | Uint8Array[], options: { type: string }) => Blob;

function isNative(file: FileInput): file is NativeFile {
  return typeof (file as NativeFile).uri === 'string';
}

function isBytes(file: FileInput): file is FileBytes {
  return typeof (file as FileBytes).data === 'object';
}

/** The attachment type the server expects for a MIME type. */
export function kindOf(mimeType: string): UploadKind {
  const top = mimeType.split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'file';
}

const unavailable = (what: string) => new ChatError('file_unavailable', what);

/** Bytes as a Blob; React Native's Blob cannot be made from bytes, so there they are refused: pass `{ uri, name, type }`. */
function toBlob({ data, type }: FileBytes): Blob {
  const B = (globalThis as { Blob?: BlobClass }).Blob;
  try {
    if (B) return new B([data instanceof Uint8Array ? data : new Uint8Array(data)], { type });
  } catch {
    // React Native's Blob throws on bytes: refused below.
  }
  throw unavailable('this platform cannot make a Blob from bytes: give a File, a Blob, or React Native’s { uri, name, type }');
}

/** The outbox's record of a file to send: its description and where its bytes are. */
export function outboxFile(file: FileInput, name?: string): OutboxFile {
  const id = newId();
  if (isNative(file)) return { id, name: file.name, size: file.size ?? 0, mimeType: file.type, kind: kindOf(file.type), uri: file.uri };
  const blob = isBytes(file) ? toBlob(file) : file;
  const mimeType = blob.type || (isBytes(file) ? file.type : '') || 'application/octet-stream';
  const fileName = name ?? (isBytes(file) ? file.name : (blob as Blob & { name?: string }).name) ?? 'file';
  return { id, name: fileName, size: blob.size, mimeType, kind: kindOf(mimeType), data: blob };
}

/** The multipart body of `POST /api/uploads`. Throws `file_unavailable` when the bytes did not survive (a reload, say). */
export function uploadForm(file: OutboxFile, channelId: string | undefined): FormData {
  const F = (globalThis as { FormData?: new () => FormData }).FormData;
  if (!F) throw unavailable('this platform has no FormData');
  const form = new F();
  if (channelId) form.append('channelId', channelId);
  // React Native's FormData takes its file objects as they are and streams the file from `uri`.
  if (file.uri) form.append('file', { uri: file.uri, name: file.name, type: file.mimeType } as unknown as Blob);
  else if (file.data) form.append('file', file.data, file.name);
  else throw unavailable(`the bytes of ${file.name} were not kept (the page was reloaded, or the storage holds no files): send it again`);
  return form;
}

const previews = new Map<string, string>();

/** Object URLs, where the platform makes them (browsers; not React Native or Node). */
function objectUrls(): { createObjectURL?: (blob: Blob) => string; revokeObjectURL?: (url: string) => void } | undefined {
  return (globalThis as { URL?: { createObjectURL?: (blob: Blob) => string; revokeObjectURL?: (url: string) => void } }).URL;
}

/** A local URL showing the file before it is uploaded: the `uri` (React Native), or an object URL of its Blob (browsers). */
export function previewUrl(file: OutboxFile): string | undefined {
  if (file.uri) return file.uri;
  let url = previews.get(file.id);
  const urls = objectUrls();
  if (!url && file.data && urls?.createObjectURL && file.kind !== 'file') {
    url = urls.createObjectURL(file.data);
    previews.set(file.id, url);
  }
  return url;
}

/** Lets the browser free the files' previews (once the server's URLs show instead, or the message is gone). */
export function releasePreviews(files: readonly OutboxFile[] | undefined): void {
  for (const file of files ?? []) {
    const url = previews.get(file.id);
    previews.delete(file.id);
    if (url) objectUrls()?.revokeObjectURL?.(url);
  }
}
