import { Readable } from 'node:stream';
import type { MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepUploads } from '../src/domain/files/upload-sweep.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { pdfBytes, png } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { fetchFile, startUploadServer, type UploadTestServer, uploadMatrix, uploaded } from './helpers/uploads.js';

const ROOM = 'cleanup-room';
const HOUR = 3_600_000;

describe.each(uploadMatrix(storeKinds))('when uploads go, on %s with %s files', (storeKind, fileKind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  const alice = () => chat.users.alice!.token;
  const bob = () => chat.users.bob!.token;
  const keysOf = async (uploadId: string) => (await t.storedKeys()).filter((key) => key.includes(uploadId));
  const sweep = (now: number) => sweepUploads({ store: t.server.context.store, files: t.files }, now);

  beforeAll(async () => {
    t = await startUploadServer(storeKind, fileKind);
    chat = await chatApp(t, ['alice', 'bob']);
    await createChannel(t, { token: alice() }, { type: 'messaging', id: ROOM, members: ['bob'] });
  });
  afterAll(() => t?.close());

  it('deletes an unattached upload for its uploader or the key, never for another user, and not once attached', async () => {
    const mine = await uploaded(t.baseUrl, { token: alice() }, { name: 'a.png', bytes: await png(40, 40) }, { channelId: ROOM });
    expect(await keysOf(mine.id)).toHaveLength(2); // the image and its thumbnail
    expectError(await call(t.baseUrl, `/api/uploads/${mine.id}`, { token: bob(), method: 'DELETE' }), 'forbidden', 403);
    expect((await call(t.baseUrl, `/api/uploads/${mine.id}`, { token: alice(), method: 'DELETE' })).status).toBe(204);
    expect(await keysOf(mine.id)).toEqual([]);
    expect((await fetchFile(mine.url)).status).toBe(404);
    expectError(await call(t.baseUrl, `/api/uploads/${mine.id}`, { token: alice(), method: 'DELETE' }), 'upload_not_found', 404);

    const bobs = await uploaded(t.baseUrl, { token: bob() }, { name: 'b.pdf', bytes: pdfBytes(500) });
    expect((await call(t.baseUrl, `/api/uploads/${bobs.id}`, { apiKey: chat.apiKey, method: 'DELETE' })).status).toBe(204);
    expect(await keysOf(bobs.id)).toEqual([]);

    const sent = await uploaded(t.baseUrl, { token: alice() }, { name: 'c.pdf', bytes: pdfBytes(500) }, { channelId: ROOM });
    await send(t, { token: alice() }, ROOM, { attachments: [{ type: 'file', uploadId: sent.id }] });
    expectError(await call(t.baseUrl, `/api/uploads/${sent.id}`, { token: alice(), method: 'DELETE' }), 'upload_attached', 409);
    expect(await keysOf(sent.id)).toHaveLength(1);
  });

  it('removes the bytes of a soft-deleted message’s uploads, thumbnails too, before the delete is answered', async () => {
    const image = await uploaded(t.baseUrl, { token: alice() }, { name: 'p.png', bytes: await png(60, 30) }, { channelId: ROOM });
    const doc = await uploaded(t.baseUrl, { token: alice() }, { name: 'd.pdf', bytes: pdfBytes(800) }, { channelId: ROOM });
    const message = await send(t, { token: alice() }, ROOM, { attachments: [{ type: 'image', uploadId: image.id }, { type: 'file', uploadId: doc.id }] });
    expect((await keysOf(image.id)).length + (await keysOf(doc.id)).length).toBe(3);
    const deleted = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, { token: alice(), method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await keysOf(image.id)).toEqual([]);
    expect(await keysOf(doc.id)).toEqual([]);
    expect((await fetchFile(message.attachments[1]?.url ?? '')).status).toBe(404);
  });

  it('removes a hard-deleted thread’s uploads, its replies’ too', async () => {
    const top = await uploaded(t.baseUrl, { apiKey: chat.apiKey }, { name: 't.pdf', bytes: pdfBytes(300) }, { channelId: ROOM });
    const parent = await send(t, { apiKey: chat.apiKey }, ROOM, { userId: 'alice', attachments: [{ type: 'file', uploadId: top.id }] });
    const inReply = await uploaded(t.baseUrl, { token: bob() }, { name: 'r.pdf', bytes: pdfBytes(300) }, { channelId: ROOM });
    await send(t, { token: bob() }, ROOM, { parentId: parent.id, attachments: [{ type: 'file', uploadId: inReply.id }] });
    expect((await call(t.baseUrl, `/api/messages/${parent.id}?hard=true`, { apiKey: chat.apiKey, method: 'DELETE' })).status).toBe(204);
    expect(await keysOf(top.id)).toEqual([]);
    expect(await keysOf(inReply.id)).toEqual([]);
  });

  it('removes the uploads an edit drops and keeps those it names again', async () => {
    const kept = await uploaded(t.baseUrl, { token: alice() }, { name: 'keep.pdf', bytes: pdfBytes(300) }, { channelId: ROOM });
    const dropped = await uploaded(t.baseUrl, { token: alice() }, { name: 'drop.pdf', bytes: pdfBytes(300) }, { channelId: ROOM });
    const added = await uploaded(t.baseUrl, { token: alice() }, { name: 'add.pdf', bytes: pdfBytes(300) });
    const message = await send(t, { token: alice() }, ROOM, { attachments: [{ type: 'file', uploadId: kept.id }, { type: 'file', uploadId: dropped.id }] });
    const edited = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, {
      token: alice(),
      method: 'PATCH',
      // The client sends back what it has (an old link included): the server fills the attachment from the upload.
      body: { attachments: [{ ...message.attachments[0], url: 'https://elsewhere.example/x' }, { type: 'file', uploadId: added.id }] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.message.attachments.map((a) => a.uploadId)).toEqual([kept.id, added.id]);
    expect(edited.body.message.attachments[0]?.url).toMatch(new RegExp(`/files/${chat.appId}/${kept.id}\\?`));
    expect(await keysOf(dropped.id)).toEqual([]);
    expect(await keysOf(kept.id)).toHaveLength(1);
    expect((await fetchFile(edited.body.message.attachments[1]?.url ?? '')).status).toBe(200);
  });

  it('sweeps uploads never attached once they are a day old, and leaves younger and attached ones', async () => {
    const loose = await uploaded(t.baseUrl, { token: alice() }, { name: 'loose.png', bytes: await png(20, 20) });
    const young = await uploaded(t.baseUrl, { token: alice() }, { name: 'young.pdf', bytes: pdfBytes(100) });
    const attached = await uploaded(t.baseUrl, { token: alice() }, { name: 'used.pdf', bytes: pdfBytes(100) }, { channelId: ROOM });
    await send(t, { token: alice() }, ROOM, { attachments: [{ type: 'file', uploadId: attached.id }] });
    const store = t.server.context.store;
    // Made a day and a minute ago, as far as the sweep can tell.
    await store.db.updateTable('uploads').set({ created_at: Date.now() - 24 * HOUR - 60_000 }).where('id', 'in', [loose.id, attached.id]).execute();

    expect((await sweep(Date.now())).unattached).toBe(1);
    expect(await keysOf(loose.id)).toEqual([]);
    expect((await fetchFile(loose.url)).status).toBe(404);
    expect(await keysOf(young.id)).toHaveLength(1);
    expect(await keysOf(attached.id)).toHaveLength(1);
    // A day later, the young one goes too; the attached one stays for good.
    const later = await sweep(Date.now() + 25 * HOUR);
    expect(later.unattached).toBeGreaterThanOrEqual(1);
    expect(await keysOf(young.id)).toEqual([]);
    expect(await keysOf(attached.id)).toHaveLength(1);
  });

  it('sweeps what a process that died mid-upload left: a pending row and its bytes', async () => {
    const store = t.server.context.store;
    const key = `${chat.appId}/upl_abandoned1`;
    await store.db
      .insertInto('uploads')
      .values({ app_id: chat.appId, id: 'upl_abandoned1', state: 'pending', channel_id: null, user_id: 'alice', message_id: null, kind: 'file', name: '', mime_type: '', size: 0, width: null, height: null, etag: '', storage_key: key, thumb_key: null, created_at: Date.now(), attached_at: null, deleted_at: null })
      .execute();
    await t.files.put(key, Readable.from([Buffer.from('half a file')]), 'application/octet-stream');
    // Within the hour it may still be arriving.
    expect((await sweep(Date.now())).abandoned).toBe(0);
    expect(await keysOf('upl_abandoned1')).toHaveLength(1);
    const result = await sweep(Date.now() + 2 * HOUR);
    expect(result.abandoned).toBe(1);
    expect(await keysOf('upl_abandoned1')).toEqual([]);
    expect(await store.db.selectFrom('uploads').select('id').where('id', '=', 'upl_abandoned1').execute()).toEqual([]);
  });
});
