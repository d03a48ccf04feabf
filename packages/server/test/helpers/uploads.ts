import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorBody, UploadResponse } from '@chatsdk/protocol';
import S3rver from 's3rver';
import { expect } from 'vitest';
import { type FileStore, LocalFileStore } from '../../src/files/index.js';
import { S3FileStore } from '../../src/files/s3-file-store.js';
import type { StoreKind } from '../../src/store/store.js';
import type { Reply } from './http.js';
import { startTestServer, type TestServer } from './server.js';

/** Where the upload tests keep bytes: the local disk, and a real S3-compatible server (s3rver) on a free port. */
export type FileStoreKind = 'local' | 's3';
export const fileStoreKinds: FileStoreKind[] = ['local', 's3'];

/** Both stores × both file stores (PostgreSQL when DATABASE_URL is set), as `describe.each` rows. */
export function uploadMatrix(stores: StoreKind[]): Array<[StoreKind, FileStoreKind]> {
  return stores.flatMap((store) => fileStoreKinds.map((files) => [store, files] as [StoreKind, FileStoreKind]));
}

/** A test server with a file store of the given kind, and a way to list every key it holds. */
export interface UploadTestServer extends TestServer {
  files: FileStore;
  /** Every object in the file store, temporary ones included (half-written files, unfinished uploads aside). */
  storedKeys(): Promise<string[]>;
}

/** A running s3rver with one bucket. */
async function startS3(): Promise<{ settings: ConstructorParameters<typeof S3FileStore>[0]; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'chatsdk-s3-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'chatsdk-uploads' }] });
  const { port } = await s3.run();
  return {
    settings: {
      bucket: 'chatsdk-uploads',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    async stop() {
      await s3.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Starts a server over a fresh store and a fresh file store; `presignedRedirect` sets the S3 store to redirect. */
export async function startUploadServer(kind: StoreKind, fileKind: FileStoreKind, options: { presignedRedirect?: boolean } = {}): Promise<UploadTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatsdk-files-'));
  const s3 = fileKind === 's3' ? await startS3() : undefined;
  const files: FileStore = s3 ? new S3FileStore({ ...s3.settings, presignedRedirect: options.presignedRedirect ?? false }) : new LocalFileStore(join(dataDir, 'uploads'));
  const server = await startTestServer(kind, { files });
  return {
    ...server,
    files,
    storedKeys: () => files.list(),
    async close() {
      await server.close();
      await s3?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Who uploads: a user's token or the app's key. */
export type UploadAuth = { token: string } | { apiKey: string };

function authHeaders(auth: UploadAuth): Record<string, string> {
  return 'token' in auth ? { authorization: `Bearer ${auth.token}` } : { 'x-api-key': auth.apiKey };
}

/** `POST /api/uploads` with a real multipart form (the way a browser's FormData sends it). */
export async function upload(
  baseUrl: string,
  auth: UploadAuth,
  file: { name: string; bytes: Uint8Array; type?: string },
  fields: { channelId?: string } = {},
): Promise<Reply<UploadResponse>> {
  const form = new FormData();
  if (fields.channelId !== undefined) form.append('channelId', fields.channelId);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  const response = await fetch(`${baseUrl}/api/uploads`, { method: 'POST', headers: authHeaders(auth), body: form });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as UploadResponse, headers: response.headers };
}

/** Uploads and asserts 201. */
export async function uploaded(baseUrl: string, auth: UploadAuth, file: { name: string; bytes: Uint8Array; type?: string }, fields: { channelId?: string } = {}): Promise<UploadResponse['upload']> {
  const reply = await upload(baseUrl, auth, file, fields);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body.upload;
}

/** A raw multipart body, for forms no FormData would make. */
export function rawForm(parts: Array<{ name: string; filename?: string; type?: string; body: string | Uint8Array }>, boundary = 'sweepboundary'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.from(part.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Fetches a file link; the body as bytes. */
export async function fetchFile(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer; error?: ErrorBody['error'] }> {
  const response = await fetch(url, { headers, redirect: 'follow' });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = response.headers.get('content-type')?.startsWith('application/json') === true && response.status >= 400;
  return { status: response.status, headers: response.headers, bytes, ...(isJson ? { error: (JSON.parse(bytes.toString('utf8')) as ErrorBody).error } : {}) };
}
