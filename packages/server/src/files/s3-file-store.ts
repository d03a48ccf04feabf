import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { type ByteRange, checkKey, type DirectLinkHeaders, type FileStore } from './file-store.js';

/** How to reach an S3-compatible bucket: the `S3_*` variables. */
export interface S3Settings {
  bucket: string;
  endpoint?: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style addressing (`endpoint/bucket/key`), which MinIO, s3rver and most non-AWS servers need. */
  forcePathStyle?: boolean;
  /** Answer file links with a redirect to a presigned GET instead of streaming the bytes through the server. */
  presignedRedirect?: boolean;
  /** Optional key prefix, so one bucket can hold several deployments. */
  prefix?: string;
}

/**
 * The smallest part S3 takes, and one part in flight at a time: an upload
 * holds at most about two parts (10 MiB) in memory however large the file,
 * where lib-storage's defaults (4 parts in flight) would hold 25 MiB.
 */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 1;

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * An S3-compatible bucket. Writes stream through lib-storage's multipart
 * `Upload`: an object appears only when its upload completes, and a failed
 * one is aborted (its parts dropped), so a refused or broken upload leaves
 * nothing behind. Unfinished multipart uploads of a process that died are
 * aborted by `dropStaleTemporaries` (a bucket lifecycle rule
 * `AbortIncompleteMultipartUpload` does the same without us).
 */
export class S3FileStore implements FileStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle ?? false,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    });
    this.prefix = settings.prefix ? `${checkKey(settings.prefix)}/` : '';
    if (settings.presignedRedirect) this.directLink = this.presign.bind(this);
  }

  private keyOf(key: string): string {
    return this.prefix + checkKey(key);
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.keyOf(key), Body: body, ContentType: contentType },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    // lib-storage reads the body with its own loop; an error the body emits must end that loop, not the process.
    const failed = new Promise<never>((_resolve, reject) => body.once('error', reject));
    failed.catch(() => {});
    try {
      await Promise.race([upload.done(), failed]);
    } catch (error) {
      await upload.abort().catch(() => {});
      body.destroy();
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    try {
      const reply = await this.client.send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.keyOf(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = reply.Body;
      if (body instanceof Readable) return body;
      if (!body) return Readable.from([]);
      return Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(key) }));
  }

  async list(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.prefix + prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async dropStaleTemporaries(olderThanMs: number, now: number): Promise<number> {
    let dropped = 0;
    try {
      const page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.settings.bucket, Prefix: this.prefix }));
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated || now - upload.Initiated.getTime() <= olderThanMs) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        dropped += 1;
      }
    } catch (error) {
      // Some S3-compatible servers do not list multipart uploads; their lifecycle rules (or nothing) clean up.
      if ((error as { name?: string }).name !== 'NotImplemented') throw error;
    }
    return dropped;
  }

  directLink?: (key: string, headers: DirectLinkHeaders, expiresInSeconds: number) => Promise<string>;

  private presign(key: string, headers: DirectLinkHeaders, expiresInSeconds: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.settings.bucket,
      Key: this.keyOf(key),
      ResponseContentType: headers.contentType,
      ResponseContentDisposition: headers.contentDisposition,
      ResponseCacheControl: headers.cacheControl,
    });
    return getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
