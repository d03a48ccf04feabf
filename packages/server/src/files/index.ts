import { join } from 'node:path';
import type { FileStore } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';
import { type S3Settings, S3FileStore } from './s3-file-store.js';

export type { ByteRange, DirectLinkHeaders, FileStore } from './file-store.js';
export { LocalFileStore } from './local-file-store.js';
export { S3FileStore, type S3Settings } from './s3-file-store.js';

/** Opens the file store the configuration names: S3 when its settings are given, else the local disk under `dataDir/uploads`. */
export function openFileStore(options: { dataDir: string; s3?: S3Settings | undefined }): FileStore {
  return options.s3 ? new S3FileStore(options.s3) : new LocalFileStore(join(options.dataDir, 'uploads'));
}
