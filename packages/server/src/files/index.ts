import { join } from 'node:path';
import type { FileStore } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';
import type { S3Settings } from './s3-file-store.js';

export type { ByteRange, DirectLinkHeaders, FileStore } from './file-store.js';
export { LocalFileStore } from './local-file-store.js';
export type { S3Settings } from './s3-file-store.js';

/**
 * Opens the file store the configuration names: S3 when its settings are
 * given, else the local disk under `dataDir/uploads`. The AWS SDK is loaded
 * only for S3: a server on the local disk does not pay its start-up time
 * and memory.
 */
export async function openFileStore(options: { dataDir: string; s3?: S3Settings | undefined }): Promise<FileStore> {
  if (!options.s3) return new LocalFileStore(join(options.dataDir, 'uploads'));
  const { S3FileStore } = await import('./s3-file-store.js');
  return new S3FileStore(options.s3);
}
