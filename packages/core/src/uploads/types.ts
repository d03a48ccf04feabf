import type { UploadKind } from '@chatsdk/protocol';
import type { ChatError } from '../errors.js';

/** React Native's file object (from an image or document picker), as its `FormData` takes it. */
export interface NativeFile {
  uri: string;
  name: string;
  type: string;
  /** Bytes, when the picker tells; shown while uploading. */
  size?: number;
}

/** Bytes with a name: for Node or tests, where no picker gives a `File`. */
export interface FileBytes {
  data: Uint8Array | ArrayBuffer;
  name: string;
  type: string;
}

/** A file to upload: a `Blob`/`File` (browsers, Node 20), React Native's `{ uri, name, type }`, or `{ data, name, type }`. */
export type FileInput = Blob | NativeFile | FileBytes;

/** How far an upload is, in bytes. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** Options of an upload. */
export interface UploadOptions {
  /** Called as bytes go out (through XMLHttpRequest); where only `fetch` exists, once when the server has the file. */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting it cancels the upload: the promise rejects with a `ChatError` coded `aborted`. */
  signal?: AbortSignal;
  /** The name to store a `Blob` under (a `File` has its own). */
  name?: string;
}

/** Where a file of an unsent message stands. `queued`: waiting its turn or the network. */
export type LocalFileState = 'queued' | 'uploading' | 'done' | 'failed';

/** A file of a message this device is sending, as the message shows it before the server has it. */
export interface LocalFile {
  /** The client's id of the file (not the upload's). */
  id: string;
  name: string;
  size: number;
  mimeType: string;
  kind: UploadKind;
  /** A local URL to preview it (`blob:` in browsers, the file's `uri` in React Native). */
  previewUrl?: string;
  /** Bytes sent so far. */
  loaded: number;
  state: LocalFileState;
  /** Why it failed (a `ChatError` such as `payload_too_large` or `file_unavailable`). */
  error?: ChatError;
}
