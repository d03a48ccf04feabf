import { gzipSync } from 'node:zlib';
import type { App, CreateTokenResponse, Message, MessageResponse, MessageUpdatedEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { collect, next, realtimeClient } from './helpers/realtime.js';
import { heldPage, html, type PageServer, startPageServer } from './helpers/page-server.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { storeKinds } from './helpers/stores.js';

const ARTICLE = `<!doctype html>
<html><head>
  <meta charset="utf-8">
  <title>Plain title</title>
  <meta property="og:title" content="The &amp; article">
  <meta property="og:description" content="What it says,
     over two lines">
  <meta property="og:image" content="/images/cover.png">
  <meta property="og:site_name" content="Local News">
</head><body><p>text</p></body></html>`;

describe.each(storeKinds)('link previews on %s', (kind) => {
  let pages: PageServer;
  let t: TestServer;
  let chat: ChatApp;
  let ws: CreateTokenResponse;
  const clients: Centrifuge[] = [];
  const u = (id: string) => ({ token: chat.users[id]?.token ?? '' });
  const getMessage = async (id: string) => (await call<MessageResponse>(t.baseUrl, `/api/messages/${id}`, u('bob'))).body.message;
  const previewsDone = () => t.server.context.previews.idle();
  const setLinkPreviews = async (on: boolean) => {
    const reply = await call<{ app: App }>(t.baseUrl, '/api/app', { apiKey: chat.apiKey, method: 'PATCH', body: { linkPreviews: on } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  };

  beforeAll(async () => {
    pages = await startPageServer({ '/article': html(ARTICLE) });
    // The page server is on loopback: reachable only because it is allowlisted, as an operator would.
    t = await startTestServer(kind, { outbound: { allowHosts: [pages.hostPort] } });
    chat = await chatApp(t, ['ann', 'bob']);
    ws = await issueTokens(t.baseUrl, chat.apiKey, { userId: 'bob' });
    await createChannel(t, u('ann'), { type: 'messaging', id: 'room', members: ['bob'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await t.close();
    await pages.close();
  });

  it('adds the preview to the message after the send, as message.updated to a subscribed client and on GET', async () => {
    const client = realtimeClient(t, ws.wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');

    const url = pages.url('/article');
    const sent = await send(t, u('ann'), 'room', { text: `have a look: ${url}.` });
    // The answer does not wait for the page.
    expect(sent.attachments).toEqual([]);

    const [created, updated] = await got.until(2);
    expect((created?.data as { type: string }).type).toBe('message.new');
    const event = updated?.data as MessageUpdatedEvent;
    const preview = {
      type: 'link',
      url,
      title: 'The & article',
      description: 'What it says, over two lines',
      image: pages.url('/images/cover.png'),
      siteName: 'Local News',
    };
    expect(event.type).toBe('message.updated');
    expect(event.message).toMatchObject({ id: sent.id, text: sent.text, attachments: [preview], editedAt: null });
    expect(await getMessage(sent.id)).toMatchObject({ attachments: [preview], editedAt: null });
    expect(pages.hits('/article')).toBe(1);
    expect(pages.requests.at(-1)?.headers.accept).toContain('text/html');
  });

  it('answers the send while the page is still being fetched', async () => {
    const slow = heldPage('<title>Slow page</title>');
    pages.route('/slow', slow.handler);
    // Were the send to wait for the page, it would wait for ever: the page is answered only after it.
    const sent = await send(t, u('ann'), 'room', { text: pages.url('/slow') });
    expect(sent.attachments).toEqual([]);
    await slow.arrived();
    slow.release();
    await previewsDone();
    expect((await getMessage(sent.id)).attachments).toEqual([{ type: 'link', url: pages.url('/slow'), title: 'Slow page' }]);
  });

  it('fetches nothing for a message sent with skipLinkPreviews', async () => {
    pages.route('/skipped', html('<title>Skipped</title>'));
    const skipped = await send(t, u('ann'), 'room', { text: pages.url('/skipped'), skipLinkPreviews: true });
    await previewsDone();
    expect(pages.hits('/skipped')).toBe(0);
    expect((await getMessage(skipped.id)).attachments).toEqual([]);
    // The same link without the flag is fetched: the test can tell.
    await send(t, u('ann'), 'room', { text: pages.url('/skipped') });
    await previewsDone();
    expect(pages.hits('/skipped')).toBe(1);
  });

  it('fetches nothing while the app has linkPreviews off', async () => {
    pages.route('/off', html('<title>Off</title>'));
    await setLinkPreviews(false);
    try {
      const sent = await send(t, u('ann'), 'room', { text: pages.url('/off') });
      await previewsDone();
      expect(pages.hits('/off')).toBe(0);
      expect((await getMessage(sent.id)).attachments).toEqual([]);
    } finally {
      await setLinkPreviews(true);
    }
    await send(t, u('ann'), 'room', { text: pages.url('/off') });
    await previewsDone();
    expect(pages.hits('/off')).toBe(1);
  });

  it('fetches a link held by several messages once, and gives each the preview', async () => {
    pages.route('/popular', html('<meta name="description" content="Everyone links here"><title>Popular</title>'));
    const first = await send(t, u('ann'), 'room', { text: `${pages.url('/popular')} first` });
    await previewsDone();
    const later = await Promise.all([1, 2, 3].map((n) => send(t, u('bob'), 'room', { text: `again ${n}: ${pages.url('/popular#part')}` })));
    await previewsDone();
    expect(pages.hits('/popular')).toBe(1);
    expect((await getMessage(first.id)).attachments).toEqual([{ type: 'link', url: pages.url('/popular'), title: 'Popular', description: 'Everyone links here' }]);
    for (const message of later) {
      expect((await getMessage(message.id)).attachments).toEqual([{ type: 'link', url: pages.url('/popular#part'), title: 'Popular', description: 'Everyone links here' }]);
    }
  });

  it('previews the first 3 links only, in the order of the text', async () => {
    const paths = ['/l1', '/l2', '/l3', '/l4'];
    for (const path of paths) pages.route(path, html(`<title>${path}</title>`));
    const sent = await send(t, u('ann'), 'room', { text: paths.map((p) => pages.url(p)).join(' and ') });
    await previewsDone();
    expect(paths.map((p) => pages.hits(p))).toEqual([1, 1, 1, 0]);
    expect((await getMessage(sent.id)).attachments.map((a) => a.title)).toEqual(['/l1', '/l2', '/l3']);
  });

  it('reads a page past the size cap for its head, and survives a gzip bomb', async () => {
    const head = '<head><meta property="og:title" content="Long read"></head><body>';
    pages.route('/long', html(`${head}${'<p>words</p>'.repeat(200_000)}</body>`));
    // 64 MiB of zeros, about 64 KiB compressed: inflated only to the 1 MiB cap.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    pages.route('/bomb', (_request, response) => response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb));
    const long = await send(t, u('ann'), 'room', { text: pages.url('/long') });
    const bombed = await send(t, u('ann'), 'room', { text: pages.url('/bomb') });
    await previewsDone();
    expect((await getMessage(long.id)).attachments).toEqual([{ type: 'link', url: pages.url('/long'), title: 'Long read' }]);
    expect(pages.hits('/bomb')).toBe(1);
    expect((await getMessage(bombed.id)).attachments).toEqual([]);
  });

  it('leaves the message alone when a link has nothing to show, is not HTML, fails or is refused', async () => {
    pages.route('/bare', html('<p>no head at all</p>'));
    pages.route('/file.pdf', (_request, response) => response.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF'));
    pages.route('/broken', (_request, response) => response.writeHead(500, { 'content-type': 'text/html' }).end('<title>Error</title>'));
    // The page server answers on all of these (it listens on ::), but only 127.0.0.1:port is allowlisted.
    const refused = ['127.0.0.2', '[::1]', '[::ffff:127.0.0.1]'].map((host) => `http://${host}:${pages.port}/elsewhere`).join(' ');
    const client = realtimeClient(t, ws.wsToken);
    clients.push(client);
    client.connect();
    const sub = client.newSubscription('room');
    const got = collect(sub);
    sub.subscribe();
    await next(sub, 'subscribed');
    const sent = await send(t, u('ann'), 'room', { text: `${pages.url('/bare')} ${pages.url('/file.pdf')} ${pages.url('/broken')}` });
    const second = await send(t, u('ann'), 'room', { text: refused });
    await previewsDone();
    expect([pages.hits('/bare'), pages.hits('/file.pdf'), pages.hits('/broken'), pages.hits('/elsewhere')]).toEqual([1, 1, 1, 0]);
    const stored: Message = await getMessage(sent.id);
    expect(stored.attachments).toEqual([]);
    expect(stored.updatedAt).toBe(sent.updatedAt);
    expect((await getMessage(second.id)).attachments).toEqual([]);
    // Only the two message.new events: no message.updated for a preview that was not made.
    await send(t, u('ann'), 'room', { text: 'marker' });
    const events = (await got.until(3)).map((p) => (p.data as { type: string }).type);
    expect(events).toEqual(['message.new', 'message.new', 'message.new']);
  });

  it('does not fetch a link the sender attached a preview of, and queues nothing for a resend', async () => {
    pages.route('/own', html('<title>Fetched</title>'));
    const own = { type: 'link', url: pages.url('/own'), title: 'My own words' };
    const sent = await send(t, u('ann'), 'room', { text: pages.url('/own'), attachments: [own] });
    await previewsDone();
    expect(pages.hits('/own')).toBe(0);
    expect((await getMessage(sent.id)).attachments).toEqual([own]);

    pages.route('/resent', html('<title>Resent</title>'));
    const body = { id: `resend-${kind}`, text: pages.url('/resent') };
    await send(t, u('ann'), 'room', body);
    await previewsDone();
    await send(t, u('ann'), 'room', body);
    await previewsDone();
    expect(pages.hits('/resent')).toBe(1);
  });
});
