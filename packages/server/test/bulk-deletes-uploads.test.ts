import type { DeleteUserMessagesResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call } from './helpers/http.js';
import { pdfBytes, png } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { fetchFile, startUploadServer, type UploadTestServer, uploaded } from './helpers/uploads.js';

/** A bulk delete takes its messages' uploads with it, as a delete of each would: rows marked, bytes removed before the answer. */
describe.each(storeKinds)('uploads of a user\'s messages deleted in bulk on %s', (kind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  let room: string;
  const sam = () => ({ token: chat.users.sam?.token ?? '' });
  const keysOf = async (uploadId: string) => (await t.storedKeys()).filter((key) => key.includes(uploadId));
  const bulk = (body: Record<string, unknown>) =>
    call<DeleteUserMessagesResponse>(t.baseUrl, '/api/moderation/users/sam/delete-messages', { apiKey: chat.apiKey, body });
  const stateOf = async (uploadId: string) =>
    (await t.server.context.store.db.selectFrom('uploads').select('state').where('app_id', '=', chat.appId).where('id', '=', uploadId).executeTakeFirst())?.state;

  beforeAll(async () => {
    t = await startUploadServer(kind, 'local');
    chat = await chatApp(t, ['alice', 'sam']);
    room = (await createChannel(t, { token: chat.users.alice?.token ?? '' }, { type: 'messaging', members: ['sam'] })).channel.id;
  });
  afterAll(() => t?.close());

  it('soft: the uploads go, thumbnails too, and their links stop working', async () => {
    const image = await uploaded(t.baseUrl, sam(), { name: 'spam.png', bytes: await png(40, 40) }, { channelId: room });
    const doc = await uploaded(t.baseUrl, sam(), { name: 'spam.pdf', bytes: pdfBytes(400) }, { channelId: room });
    const message = await send(t, sam(), room, { attachments: [{ type: 'image', uploadId: image.id }] });
    await send(t, sam(), room, { attachments: [{ type: 'file', uploadId: doc.id }] });
    expect((await keysOf(image.id)).length + (await keysOf(doc.id)).length).toBe(3);
    expect((await bulk({ channelId: room })).body).toEqual({ deleted: 2 });
    expect(await keysOf(image.id)).toEqual([]);
    expect(await keysOf(doc.id)).toEqual([]);
    // Their rows are gone with the bytes (or, had the removal failed, left marked for the sweep).
    for (const id of [image.id, doc.id]) expect([undefined, 'deleted']).toContain(await stateOf(id));
    expect((await fetchFile(message.attachments[0]?.url ?? '')).status).toBe(404);
  });

  it('hard: the uploads go with the rows', async () => {
    const doc = await uploaded(t.baseUrl, sam(), { name: 'again.pdf', bytes: pdfBytes(400) }, { channelId: room });
    await send(t, sam(), room, { attachments: [{ type: 'file', uploadId: doc.id }] });
    expect(await keysOf(doc.id)).toHaveLength(1);
    expect((await bulk({ hard: true })).body.deleted).toBeGreaterThanOrEqual(1);
    expect(await keysOf(doc.id)).toEqual([]);
  });
});
