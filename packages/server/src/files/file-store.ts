import type { Readable } from 'node:stream';

/** A byte range of a stored object, both ends included (as HTTP writes them). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Headers a direct link makes the file store answer with, in place of ours. */
export interface DirectLinkHeaders {
  contentType: string;
  contentDisposition: string;
  cacheControl: string;
}

/**
 * Where uploaded bytes live. The database holds the records; a file store
 * holds only bytes under opaque keys, and knows nothing of apps or channels.
 * Keys are relative paths of `[A-Za-z0-9_.-]` segments joined by `/`.
 */
export interface FileStore {
  /** `local` or `s3`: for logs and health. */
  readonly kind: 'local' | 's3';
  /**
   * Streams `body` to `key`. Resolves once the object is whole and durable;
   * rejects when `body` fails (a limit, a refused type, a client gone) or the
   * store does, and then nothing is left at `key`: the bytes went to a
   * temporary place (a temporary file, an unfinished multipart upload) that
   * is dropped.
   */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** The object's bytes, or those of `range`; undefined when there is no such object. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, temporary ones included where the store has any (tests, and the sweep). */
  list(prefix?: string): Promise<string[]>;
  /** Removes temporary leftovers older than `olderThanMs` (a process that died mid-write); returns how many. */
  dropStaleTemporaries(olderThanMs: number, now: number): Promise<number>;
  /**
   * A short-lived URL the client may fetch the object from directly, with
   * our headers, when the store is set to hand those out (S3 with
   * `S3_PRESIGNED_REDIRECT`); undefined when bytes are served through us.
   */
  directLink?(key: string, headers: DirectLinkHeaders, expiresInSeconds: number): Promise<string>;
  close(): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

/** Refuses a key that could step out of the store's root (`..`, absolute, empty segments). */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 512) throw new Error(`not a file store key: ${JSON.stringify(key)}`);
  return key;
}
