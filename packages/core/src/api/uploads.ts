import { parseAnswer, type RequestManager, seg } from '../http/requests.js';
import type { OutboxFile } from '../offline/storage.js';
import { outboxFile, uploadForm } from '../uploads/files.js';
import { postForm } from '../uploads/transport.js';
import type { Upload, UploadResponse } from '@chatsdk/protocol';
import type { FileInput, UploadOptions } from '../uploads/types.js';

/** Uploads of files to reference from messages (`attachments: [{ type, uploadId }]`). */
export class UploadsApi {
  constructor(private readonly requests: RequestManager) {}

  /** Uploads a file (`POST /api/uploads`), for `channelId` when given; resolves with the stored file. */
  upload(file: FileInput, options: UploadOptions & { channelId?: string } = {}): Promise<Upload> {
    return this.send(outboxFile(file, options.name), options);
  }

  /** Uploads a file the outbox holds. A 401 renews the tokens and uploads once more, as any call does. */
  async send(file: OutboxFile, options: UploadOptions & { channelId?: string }): Promise<Upload> {
    const { upload } = await this.requests.authorized(async (token) => {
      const answer = await postForm({
        url: this.requests.url('/api/uploads'),
        form: uploadForm(file, options.channelId),
        token,
        total: file.size,
        onProgress: options.onProgress,
        signal: options.signal,
        stallMs: this.requests.timeoutMs,
        fetch: this.requests.fetchFn,
      });
      return parseAnswer<UploadResponse>(answer.status, answer.text, answer.requestId);
    });
    return upload;
  }

  /** Deletes an upload (`DELETE /api/uploads/:id`). */
  async delete(id: string): Promise<void> {
    await this.requests.request<undefined>(`/api/uploads/${seg(id)}`, { method: 'DELETE' });
  }
}
