import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomToken } from '../domain/common/ids.js';
import { type ByteRange, checkKey, type FileStore } from './file-store.js';

/** Where bytes wait while they arrive: under the root, so that the rename into place never crosses a file system. */
const TEMPORARY = '.incoming';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Every file under `dir`, as paths relative to `root` with `/` separators. */
async function walk(root: string, dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(root, path)));
    else found.push(relative(root, path).split(sep).join('/'));
  }
  return found;
}

/**
 * Files on the local disk under `root` (by default `CHATSDK_DATA_DIR/uploads`).
 * A write goes to a temporary file under `root/.incoming` and is renamed into
 * place once whole and flushed, so a reader never sees half a file and a
 * failed write leaves nothing at its key. Directories are made on first use:
 * a server that never stores a file never creates one.
 */
export class LocalFileStore implements FileStore {
  readonly kind = 'local';

  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, body: Readable, _contentType: string): Promise<void> {
    const target = this.pathOf(key);
    const temporary = join(this.root, TEMPORARY, `${Date.now()}-${randomToken(9)}`);
    await mkdir(dirname(temporary), { recursive: true });
    try {
      await pipeline(body, createWriteStream(temporary, { flags: 'wx', flush: true }));
      await mkdir(dirname(target), { recursive: true });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    try {
      // Opened before it is returned, so a missing file is "none", not a stream that fails later.
      await stat(path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async list(prefix = ''): Promise<string[]> {
    return (await walk(this.root, this.root)).filter((key) => key.startsWith(prefix)).sort();
  }

  async dropStaleTemporaries(olderThanMs: number, now: number): Promise<number> {
    const dir = join(this.root, TEMPORARY);
    let dropped = 0;
    for (const key of await walk(dir, dir)) {
      const path = join(dir, key);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        dropped += 1;
      }
    }
    return dropped;
  }

  async close(): Promise<void> {}
}
