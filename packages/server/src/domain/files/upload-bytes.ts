import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Duplex, PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';
import { ApiError } from '../../errors.js';
import type { FileStore } from '../../files/index.js';
import type { AppRecord } from '../auth/apps.js';
import { inspectImage, sanitisedImage, thumbnailImage } from './image-processing.js';
import { isDecodedImage, isReencodedImage, UNKNOWN_TYPE, uploadTypeAllowed } from './upload-types.js';

/** How much of a file the sniffer reads: what `file-type` needs for every type it knows. */
const SNIFF_BYTES = 4100;

/** How long an answer waits for a thumbnail before it leaves it to finish after the answer. */
export const THUMBNAIL_BUDGET_MS = 2000;

/** What was stored of one file. */
export interface StoredBytes {
  mimeType: string;
  /** Bytes at the original key: what is served. */
  size: number;
  /** SHA-256 of what is served, shortened: the ETag. */
  etag: string;
  width: number | null;
  height: number | null;
  /**
   * The thumbnail: `stored` when it is at its key, `none` when the file has
   * none, or a promise (true once stored) when it outlived the budget.
   */
  thumbnail: 'stored' | 'none' | Promise<boolean>;
}

/** A file part of the form, as it arrives. */
export interface IncomingFile {
  stream: Readable;
}

/** The file's next chunk; a body that breaks off (a truncated form, a client gone) is the caller's 400. */
async function nextChunk(iterator: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> {
  try {
    return await iterator.next();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('validation_failed', `the upload broke off before the file ended: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads from `iterator` until `bytes` have come or the file ends. */
async function readHead(iterator: AsyncIterator<Buffer>, bytes: number): Promise<{ chunks: Buffer[]; length: number; ended: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await nextChunk(iterator);
    if (next.done) return { chunks, length, ended: true };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { chunks, length, ended: false };
}

/** Bytes and hash of a file as it passes. */
interface Tally {
  bytes: number;
  hash: Hash;
}

/** The whole file again, head first, counted against the limit and hashed as it passes. */
async function* counted(head: Buffer[], iterator: AsyncIterator<Buffer>, ended: boolean, maxBytes: number, tally: Tally): AsyncGenerator<Buffer> {
  const pass = (chunk: Buffer): Buffer => {
    tally.bytes += chunk.length;
    if (tally.bytes > maxBytes) throw new ApiError('payload_too_large', `the file is larger than this app's maxUploadBytes (${maxBytes} bytes)`);
    tally.hash.update(chunk);
    return chunk;
  };
  for (const chunk of head) yield pass(chunk);
  if (ended) return;
  for (let next = await nextChunk(iterator); !next.done; next = await nextChunk(iterator)) yield pass(next.value);
}

function hashTag(hash: Hash): string {
  return hash.digest('base64url').slice(0, 27);
}

/** A pass-through that hashes and counts what goes to the store (a transform, so nothing flows before the store reads). */
function measured(): { through: Transform; result: () => { size: number; etag: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const through = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { through, result: () => ({ size, etag: hashTag(hash) }) };
}

/** Runs a sharp pipeline into the store; its decoding failures are the file's fault (422), not ours. */
async function putImage(files: FileStore, key: string, image: Duplex, contentType: string, through?: Transform): Promise<void> {
  const body = through ?? new PassThrough();
  const decoding = pipeline(image, body).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw /pixel limit/i.test(message)
      ? new ApiError('image_too_large', 'the image has more pixels than are decoded')
      : new ApiError('upload_unreadable', 'the image cannot be decoded');
  });
  // Both settle before either's failure is reported: a decoding failure breaks the store's write too, and the
  // caller must hear the cause, not its echo.
  const [decoded, stored] = await Promise.allSettled([decoding, files.put(key, body, contentType)]);
  if (decoded.status === 'rejected') {
    await files.delete(key).catch(() => {});
    throw decoded.reason;
  }
  if (stored.status === 'rejected') throw stored.reason;
}

/** The thumbnail of a staged image at its key; false (and nothing at the key) when it could not be made. */
async function putThumbnail(files: FileStore, key: string, path: string): Promise<boolean> {
  try {
    await putImage(files, key, thumbnailImage(path), 'image/webp');
    return true;
  } catch {
    await files.delete(key).catch(() => {});
    return false;
  }
}

/**
 * Streams one file to the store under `keys`, never holding it in memory:
 * the first 4,100 bytes are sniffed before the rest is read, so a refused
 * type costs no more than that; every byte is counted against the app's
 * `maxUploadBytes`. Images that are decoded go to a temporary file first
 * (the decoder needs to read them twice), and from it their metadata-free
 * copy and thumbnail go to the store. On any failure, nothing is left at
 * either key.
 */
export async function storeUploadBytes(files: FileStore, app: AppRecord, file: IncomingFile, keys: { original: string; thumbnail: string }): Promise<StoredBytes> {
  const iterator = (file.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  const head = await readHead(iterator, SNIFF_BYTES);
  const sniffed = await fileTypeFromBuffer(Buffer.concat(head.chunks, head.length));
  const mimeType = sniffed?.mime ?? UNKNOWN_TYPE;
  if (!uploadTypeAllowed(app.allowedUploadTypes, mimeType)) {
    file.stream.resume();
    throw new ApiError('upload_type_not_allowed', `files of type ${mimeType} are not allowed in this app (allowedUploadTypes)`);
  }
  const tally: Tally = { bytes: 0, hash: createHash('sha256') };
  const body = Readable.from(counted(head.chunks, iterator, head.ended, app.maxUploadBytes, tally), { objectMode: false });

  if (!isDecodedImage(mimeType)) {
    await files.put(keys.original, body, mimeType);
    return { mimeType, size: tally.bytes, etag: hashTag(tally.hash), width: null, height: null, thumbnail: 'none' };
  }
  return storeImage(files, mimeType, body, tally, keys);
}

async function storeImage(files: FileStore, mimeType: string, body: Readable, tally: Tally, keys: { original: string; thumbnail: string }): Promise<StoredBytes> {
  const dir = await mkdtemp(join(tmpdir(), 'chatsdk-upload-'));
  const path = join(dir, 'image');
  let cleanUpLater = false;
  try {
    await pipeline(body, createWriteStream(path));
    const info = await inspectImage(path);
    let size = tally.bytes;
    let etag = hashTag(tally.hash);
    // The thumbnail starts beside the original: on two cores they share the machine either way, and it is
    // usually done by the time the original is.
    const thumbnail = putThumbnail(files, keys.thumbnail, path);
    try {
      if (isReencodedImage(mimeType)) {
        const { through, result } = measured();
        await putImage(files, keys.original, sanitisedImage(path, mimeType, info), mimeType, through);
        ({ size, etag } = result());
      } else {
        await files.put(keys.original, createReadStream(path), mimeType);
      }
    } catch (error) {
      await thumbnail.then((made) => (made ? files.delete(keys.thumbnail) : undefined)).catch(() => {});
      throw error;
    }
    const late = Symbol('late');
    const made = await Promise.race([thumbnail, new Promise<typeof late>((resolve) => setTimeout(resolve, THUMBNAIL_BUDGET_MS, late).unref())]);
    let state: StoredBytes['thumbnail'];
    if (made === late) {
      cleanUpLater = true;
      state = thumbnail.finally(() => rm(dir, { recursive: true, force: true }));
    } else {
      state = made ? 'stored' : 'none';
    }
    return { mimeType, size, etag, width: info.width, height: info.height, thumbnail: state };
  } finally {
    if (!cleanUpLater) await rm(dir, { recursive: true, force: true });
  }
}
