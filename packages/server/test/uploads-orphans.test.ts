import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepUploads } from '../src/domain/files/upload-sweep.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call } from './helpers/http.js';
import { pdfBytes } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { fetchFile, startUploadServer, type UploadTestServer, uploaded } from './helpers/uploads.js';

/** Messages can go without a message delete (a truncate, a channel delete): their uploads must not outlive them. */
describe.each(storeKinds)('uploads of messages removed wholesale, on %s', (storeKind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  const alice = () => ({ token: chat.users.alice?.token ?? '' });
  const keysOf = async (uploadId: string) => (await t.storedKeys()).filter((key) => key.includes(uploadId));
  const sweep = () => sweepUploads({ store: t.server.context.store, files: t.files });

  beforeAll(async () => {
    t = await startUploadServer(storeKind, 'local');
    chat = await chatApp(t, ['alice', 'bob']);
  });
  afterAll(() => t?.close());

  const attachedIn = async (channelId: string) => {
    const upload = await uploaded(t.baseUrl, alice(), { name: 'notes.pdf', bytes: pdfBytes(600) }, { channelId });
    const message = await send(t, alice(), channelId, { attachments: [{ type: 'file', uploadId: upload.id }] });
    return { upload, message };
  };

  it('goes at the next sweep after its channel is truncated, and after its channel is deleted', async () => {
    await createChannel(t, alice(), { type: 'messaging', id: 'to-truncate', members: ['bob'] });
    await createChannel(t, alice(), { type: 'messaging', id: 'to-delete', members: ['bob'] });
    await createChannel(t, alice(), { type: 'messaging', id: 'kept', members: ['bob'] });
    const truncated = await attachedIn('to-truncate');
    const deleted = await attachedIn('to-delete');
    const kept = await attachedIn('kept');
    expect((await call(t.baseUrl, '/api/channels/to-truncate/truncate', { method: 'POST', apiKey: chat.apiKey })).status).toBe(200);
    expect((await call(t.baseUrl, '/api/channels/to-delete', { method: 'DELETE', apiKey: chat.apiKey })).status).toBeLessThan(300);

    const result = await sweep();
    expect(result.orphaned).toBe(2);
    expect(await keysOf(truncated.upload.id)).toEqual([]);
    expect(await keysOf(deleted.upload.id)).toEqual([]);
    expect((await fetchFile(truncated.message.attachments[0]?.url ?? '')).status).toBe(404);
    // A live message in a live channel keeps its file.
    expect(await keysOf(kept.upload.id)).toHaveLength(1);
    expect((await fetchFile(kept.message.attachments[0]?.url ?? '')).status).toBe(200);
    expect((await sweep()).orphaned).toBe(0);
  });
});
