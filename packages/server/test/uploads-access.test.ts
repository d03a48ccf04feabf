import type { Message, MessageResponse } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUrl } from '../src/domain/files/upload-links.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, expectError } from './helpers/http.js';
import { pdfBytes } from './helpers/images.js';
import { storeKinds } from './helpers/stores.js';
import { fetchFile, startUploadServer, type UploadTestServer, upload, uploadMatrix, uploaded } from './helpers/uploads.js';

const ROOM = 'private-room';
const OTHER = 'other-room';

describe.each(uploadMatrix(storeKinds))('who reaches a file, on %s with %s files', (storeKind, fileKind) => {
  let t: UploadTestServer;
  let chat: ChatApp;
  let elsewhere: ChatApp;
  let shared: Message;
  const user = (id: string) => chat.users[id]!;

  beforeAll(async () => {
    t = await startUploadServer(storeKind, fileKind);
    chat = await chatApp(t, ['alice', 'bob', 'carol']);
    elsewhere = await chatApp(t, ['alice', 'mallory'], 'Elsewhere');
    await createChannel(t, { token: user('alice').token }, { type: 'messaging', id: ROOM, members: ['bob'] });
    await createChannel(t, { token: user('alice').token }, { type: 'messaging', id: OTHER, members: ['bob', 'carol'] });
    const up = await uploaded(t.baseUrl, { token: user('alice').token }, { name: 'secret.pdf', bytes: pdfBytes(4000) }, { channelId: ROOM });
    shared = await send(t, { token: user('alice').token }, ROOM, { text: 'the plan', attachments: [{ type: 'file', uploadId: up.id }] });
  });
  afterAll(() => t?.close());

  it('never hands a link to someone who cannot read the channel: a non-member and a user of another app get 404', async () => {
    expectError(await call(t.baseUrl, `/api/messages/${shared.id}`, { token: user('carol').token }), 'message_not_found', 404);
    expectError(await call(t.baseUrl, `/api/channels/${ROOM}/messages`, { token: user('carol').token }), 'channel_not_found', 404);
    expectError(await call(t.baseUrl, `/api/messages/${shared.id}`, { token: elsewhere.users.mallory!.token }), 'message_not_found', 404);
    const list = await call<{ channels: Array<{ lastMessage: Message | null }> }>(t.baseUrl, '/api/channels', { token: user('carol').token });
    expect(JSON.stringify(list.body)).not.toContain('/files/');
  });

  it('refuses an expired link with 403, and a forged or borrowed signature with 404', async () => {
    const url = new URL(shared.attachments[0]?.url ?? '');
    const uploadId = shared.attachments[0]?.uploadId ?? '';
    expect((await fetchFile(url.toString())).status).toBe(200);

    const old = fileUrl(chat.appId, uploadId, 'original', Date.now() - 2 * 86_400_000) ?? '';
    expect(old).not.toBe('');
    const expired = await fetchFile(old);
    expect([expired.status, expired.error?.code]).toEqual([403, 'upload_link_expired']);

    const forged = new URL(url);
    // Another first character: always a different signature (ending in "AA" could have been the real one).
    const sig = forged.searchParams.get('sig') ?? '';
    forged.searchParams.set('sig', `${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`);
    expect((await fetchFile(forged.toString())).error?.code).toBe('upload_not_found');
    // A later expiry with the old signature: the expiry is signed too.
    const stretched = new URL(url);
    stretched.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 86_400));
    expect((await fetchFile(stretched.toString())).status).toBe(404);
    // The signature of one file does not open another, nor its thumbnail.
    const other = await uploaded(t.baseUrl, { token: user('alice').token }, { name: 'b.pdf', bytes: pdfBytes(100) }, { channelId: ROOM });
    expect((await fetchFile(url.toString().replace(uploadId, other.id))).status).toBe(404);
    expect((await fetchFile(url.toString().replace(uploadId, `${uploadId}/thumbnail`))).status).toBe(404);
    // Under another app's id.
    expect((await fetchFile(url.toString().replace(chat.appId, elsewhere.appId))).status).toBe(404);
  });

  it('lets only members upload into a channel; the API key uploads into any channel of its app', async () => {
    const file = { name: 'a.pdf', bytes: pdfBytes(100) };
    expectError(await upload(t.baseUrl, { token: user('carol').token }, file, { channelId: ROOM }), 'channel_not_found', 404);
    expectError(await upload(t.baseUrl, { token: elsewhere.users.alice!.token }, file, { channelId: ROOM }), 'channel_not_found', 404);
    const byKey = await uploaded(t.baseUrl, { apiKey: chat.apiKey }, file, { channelId: ROOM });
    const sent = await send(t, { apiKey: chat.apiKey }, ROOM, { userId: 'bob', attachments: [{ type: 'file', uploadId: byKey.id }] });
    expect(sent.attachments[0]?.uploadId).toBe(byKey.id);
    // Another app's key cannot attach it.
    const foreign = await call(t.baseUrl, `/api/channels/${ROOM}/messages`, { apiKey: elsewhere.apiKey, body: { userId: 'alice', text: 'x' } });
    expectError(foreign, 'channel_not_found', 404);
  });

  it('refuses an upload of another app, another channel, another uploader or another message with a clear 4xx', async () => {
    const alice = user('alice').token;
    const foreign = await uploaded(t.baseUrl, { token: elsewhere.users.alice!.token }, { name: 'f.pdf', bytes: pdfBytes(100) });
    const sendWith = (token: string, channel: string, uploadId: string) =>
      call(t.baseUrl, `/api/channels/${channel}/messages`, { token, body: { attachments: [{ type: 'file', uploadId }] } });
    expectError(await sendWith(alice, ROOM, foreign.id), 'upload_not_found', 404);

    const forRoom = await uploaded(t.baseUrl, { token: alice }, { name: 'r.pdf', bytes: pdfBytes(100) }, { channelId: ROOM });
    expectError(await sendWith(alice, OTHER, forRoom.id), 'upload_not_attachable', 409);

    const bobs = await uploaded(t.baseUrl, { token: user('bob').token }, { name: 'bob.pdf', bytes: pdfBytes(100) });
    expectError(await sendWith(alice, OTHER, bobs.id), 'upload_not_attachable', 409);

    const first = await send(t, { token: alice }, ROOM, { attachments: [{ type: 'file', uploadId: forRoom.id }] });
    expectError(await sendWith(alice, ROOM, forRoom.id), 'upload_not_attachable', 409);
    // Editing another message to take it is refused the same way; the first keeps it.
    const second = await send(t, { token: alice }, ROOM, { text: 'second' });
    const edit = await call(t.baseUrl, `/api/messages/${second.id}`, { token: alice, method: 'PATCH', body: { attachments: [{ type: 'file', uploadId: forRoom.id }] } });
    expectError(edit, 'upload_not_attachable', 409);
    const kept = await call<MessageResponse>(t.baseUrl, `/api/messages/${first.id}`, { token: alice });
    expect(kept.body.message.attachments[0]?.uploadId).toBe(forRoom.id);
  });

  it('binds an upload made without a channel to the channel it is first sent in, for its uploader only', async () => {
    const bob = user('bob').token;
    const loose = await uploaded(t.baseUrl, { token: bob }, { name: 'loose.pdf', bytes: pdfBytes(200) });
    expect(loose.channelId).toBeNull();
    const sent = await send(t, { token: bob }, OTHER, { attachments: [{ type: 'file', uploadId: loose.id }] });
    // Carol, a member of that channel, reads it.
    const read = await call<MessageResponse>(t.baseUrl, `/api/messages/${sent.id}`, { token: user('carol').token });
    expect(read.status).toBe(200);
    expect((await fetchFile(read.body.message.attachments[0]?.url ?? '')).status).toBe(200);
  });

  it('refuses a deleted message’s link, and a deleted upload’s, with 404', async () => {
    const alice = user('alice').token;
    const up = await uploaded(t.baseUrl, { token: alice }, { name: 'gone.pdf', bytes: pdfBytes(100) }, { channelId: ROOM });
    const message = await send(t, { token: alice }, ROOM, { attachments: [{ type: 'file', uploadId: up.id }] });
    const url = message.attachments[0]?.url ?? '';
    expect((await fetchFile(url)).status).toBe(200);
    const deleted = await call<MessageResponse>(t.baseUrl, `/api/messages/${message.id}`, { token: alice, method: 'DELETE' });
    expect(deleted.body.message.attachments).toEqual([]);
    const after = await fetchFile(url);
    expect([after.status, after.error?.code]).toEqual([404, 'upload_not_found']);
  });
});
