import type { MessageResponse } from '@chatsdk/protocol';
import { LIMITS } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call } from './helpers/http.js';
import { heldPage, html, type PageServer, startPageServer } from './helpers/page-server.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

/** What happens to a message while its previews are being fetched. */
describe.each(storeKinds)('link previews racing the message on %s', (kind) => {
  let pages: PageServer;
  let t: TestServer;
  let chat: ChatApp;
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const get = (id: string) => call<MessageResponse>(t.baseUrl, `/api/messages/${id}`, u('ann'));
  const previewsDone = () => t.server.context.previews.idle();
  /** The channel's events of one message, oldest first. */
  const eventTypes = async (messageId: string) => {
    const rows = await t.server.context.store.db.selectFrom('channel_events').select(['type', 'payload']).orderBy('stream_offset').execute();
    return rows.filter((r) => (JSON.parse(r.payload) as { message?: { id: string } }).message?.id === messageId).map((r) => r.type);
  };

  beforeAll(async () => {
    pages = await startPageServer();
    t = await startTestServer(kind, { outbound: { allowHosts: [pages.hostPort] } });
    chat = await chatApp(t, ['ann', 'bob']);
    await createChannel(t, u('ann'), { type: 'messaging', id: 'room', members: ['bob'] });
  });
  afterAll(async () => {
    await t.close();
    await pages.close();
  });

  it('adds nothing to a message deleted while its page was fetched', async () => {
    const page = heldPage('<title>Too late</title>');
    pages.route('/deleted', page.handler);
    const sent = await send(t, u('ann'), 'room', { text: pages.url('/deleted') });
    await page.arrived();
    expect((await call(t.baseUrl, `/api/messages/${sent.id}`, { ...u('ann'), method: 'DELETE' })).status).toBe(200);
    page.release();
    await previewsDone();
    const tombstone = (await get(sent.id)).body.message;
    expect(tombstone.deletedAt).not.toBeNull();
    expect(tombstone.attachments).toEqual([]);
    // Stored too, not only hidden on the wire.
    const row = await t.server.context.store.db.selectFrom('messages').select('attachments').where('id', '=', sent.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.attachments)).toEqual([]);
    expect(await eventTypes(sent.id)).toEqual(['message.new', 'message.deleted']);
  });

  it('adds nothing to a message hard-deleted while its page was fetched', async () => {
    const page = heldPage('<title>Gone</title>');
    pages.route('/erased', page.handler);
    const sent = await send(t, u('ann'), 'room', { text: pages.url('/erased') });
    await page.arrived();
    expect((await call(t.baseUrl, `/api/messages/${sent.id}?hard=true`, { apiKey: chat.apiKey, method: 'DELETE' })).status).toBe(204);
    page.release();
    await previewsDone();
    expect((await get(sent.id)).status).toBe(404);
  });

  it('keeps the edit and previews only the links the edited text still holds', async () => {
    const kept = heldPage('<title>Kept</title>');
    const dropped = heldPage('<title>Dropped</title>');
    pages.route('/kept', kept.handler);
    pages.route('/dropped', dropped.handler);
    const sent = await send(t, u('ann'), 'room', { text: `${pages.url('/dropped')} and ${pages.url('/kept')}` });
    await Promise.all([kept.arrived(), dropped.arrived()]);
    const edited = await call<MessageResponse>(t.baseUrl, `/api/messages/${sent.id}`, { ...u('ann'), method: 'PATCH', body: { text: `only ${pages.url('/kept')}` } });
    expect(edited.status).toBe(200);
    kept.release();
    dropped.release();
    await previewsDone();
    const message = (await get(sent.id)).body.message;
    expect(message.text).toBe(`only ${pages.url('/kept')}`);
    expect(message.editedAt).toBe(edited.body.message.editedAt);
    expect(message.attachments).toEqual([{ type: 'link', url: pages.url('/kept'), title: 'Kept' }]);
  });

  it('keeps attachments added by an edit meanwhile', async () => {
    const page = heldPage('<title>Late</title>');
    pages.route('/late', page.handler);
    const sent = await send(t, u('ann'), 'room', { text: pages.url('/late') });
    await page.arrived();
    const image = { type: 'image', url: 'https://cdn.example.com/a.png' };
    expect((await call(t.baseUrl, `/api/messages/${sent.id}`, { ...u('ann'), method: 'PATCH', body: { attachments: [image] } })).status).toBe(200);
    page.release();
    await previewsDone();
    expect((await get(sent.id)).body.message.attachments).toEqual([image, { type: 'link', url: pages.url('/late'), title: 'Late' }]);
    expect(await eventTypes(sent.id)).toEqual(['message.new', 'message.updated', 'message.updated']);
  });

  it('does not pass the attachment limit', async () => {
    pages.route('/full', html('<title>No room</title>'));
    const attachments = Array.from({ length: LIMITS.attachmentsPerMessage }, (_, i) => ({ type: 'file', url: `https://cdn.example.com/${i}` }));
    const sent = await send(t, u('ann'), 'room', { text: pages.url('/full'), attachments });
    await previewsDone();
    expect(pages.hits('/full')).toBe(1);
    expect((await get(sent.id)).body.message.attachments).toEqual(attachments);
    expect(await eventTypes(sent.id)).toEqual(['message.new']);
  });

  it('lets the server close while a page is still being fetched', async () => {
    const other = await startTestServer(kind, { outbound: { allowHosts: [pages.hostPort] } });
    try {
      const app = await chatApp(other, ['cat']);
      const cat = { token: app.users.cat?.token ?? '' };
      await createChannel(other, cat, { type: 'messaging', id: 'closing', members: [] });
      const page = heldPage('<title>Never</title>');
      pages.route('/never', page.handler);
      await send(other, cat, 'closing', { text: pages.url('/never') });
      await page.arrived();
    } finally {
      // Would hang (or fail on a closed store) if the fetch held the shutdown.
      await other.close();
    }
  });
});
