import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatClient, ChatError, memoryStorage } from '../src/index.js';
import { call } from '../../server/test/helpers/http.js';
import { type Harness, network, snapshotWhere, startHarness, until } from './helpers.js';

/** Every message of a channel as the server has it, oldest first. */
async function serverIds(h: Harness, channelId: string): Promise<string[]> {
  const ids: string[] = [];
  let before: number | undefined;
  for (;;) {
    const query = before === undefined ? '' : `&before=${before}`;
    const reply = await call<{ messages: Array<{ id: string; seq: number }>; hasMore: boolean }>(h.t.baseUrl, `/api/channels/${channelId}/messages?limit=200${query}`, { apiKey: h.apiKey });
    ids.unshift(...reply.body.messages.map((m) => m.id).reverse());
    if (!reply.body.hasMore) return ids;
    before = reply.body.messages.at(-1)?.seq;
  }
}

describe('offline and reconnects', () => {
  let h: Harness;
  let other: ChatClient;

  beforeAll(async () => {
    h = await startHarness();
    for (const user of ['kim', 'lee', 'max', 'ned']) await h.tokens(user);
    other = await h.client('lee');
    await other.connect();
  });
  afterAll(() => h.close());

  it('keeps sends made offline in the outbox and delivers them in order when the connection returns', async () => {
    const net = network();
    const kim = await h.client('kim', { WebSocket: net.WebSocket, fetch: net.fetch });
    await kim.connect();
    const channel = await kim.channels.create({ type: 'messaging', id: 'offline-room', members: ['kim', 'lee'] });
    await channel.watch();
    await other.channel('offline-room').watch();

    net.offline();
    await snapshotWhere(kim.connection, (s) => s.status === 'connecting');
    const sends = Array.from({ length: 10 }, (_, i) => channel.sendMessage(`offline ${i}`));
    const shown = channel.messages.getSnapshot().messages;
    expect(shown.map((m) => [m.text, m.status])).toEqual(Array.from({ length: 10 }, (_, i) => [`offline ${i}`, 'sending']));
    expect(kim.pendingWrites.getSnapshot()).toHaveLength(10);
    expect(await serverIds(h, 'offline-room')).toEqual([]);

    net.online();
    const sent = await Promise.all(sends);
    expect(sent.every((m) => m.status === 'sent')).toBe(true);
    expect(await serverIds(h, 'offline-room')).toEqual(shown.map((m) => m.id));
    const seen = await snapshotWhere(other.channel('offline-room').messages, (s) => s.messages.length === 10);
    expect(seen.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `offline ${i}`));
    await snapshotWhere(kim.connection, (s) => s.status === 'connected');
    expect(channel.messages.getSnapshot().messages.map((m) => m.id)).toEqual(shown.map((m) => m.id));
  });

  it('ends with the same message list as the server when its socket is cut during 200 sends', async () => {
    const net = network();
    const kim = await h.client('kim', { WebSocket: net.WebSocket, fetch: net.fetch });
    await kim.connect();
    const channel = await kim.channels.create({ type: 'messaging', id: 'cut-room', members: ['kim', 'lee'] });
    await channel.watch();
    const lee = other.channel('cut-room');
    await lee.watch();

    let reconnects = 0;
    kim.connection.subscribe(() => {
      if (kim.connection.getSnapshot().status === 'connected') reconnects++;
    });
    const mine: Array<Promise<unknown>> = [];
    for (let round = 0; round < 4; round++) {
      for (let i = round * 50; i < (round + 1) * 50; i++) {
        mine.push(channel.sendMessage(`kim ${i}`));
        if (i % 10 === 0) mine.push(lee.sendMessage(`lee ${i}`));
      }
      // Cut while half of this round is still queued: sends and their events are in flight.
      await until(() => kim.pendingWrites.getSnapshot().length <= 25);
      await snapshotWhere(kim.connection, (state) => state.status === 'connected');
      net.cut();
    }
    await Promise.all(mine);
    const expected = await serverIds(h, 'cut-room');
    expect(expected).toHaveLength(220);
    const final = await snapshotWhere(channel.messages, (s) => s.messages.length === 220 && s.messages.every((m) => m.status === 'sent'));
    expect(final.messages.map((m) => m.id)).toEqual(expected);
    expect(lee.messages.getSnapshot().messages.map((m) => m.id)).toEqual(expected);
    // Four cuts, four reconnects (the last may come after everything was in).
    await until(() => reconnects >= 4);
  });

  it("keeps events in order with ws's defaults (a whole network read delivered in one tick)", async () => {
    const kim = await h.client('kim', { WebSocket: WebSocket });
    await kim.connect();
    const channel = await kim.channels.create({ type: 'messaging', id: 'burst-room', members: ['kim', 'lee'] });
    await channel.watch();
    const lee = other.channel('burst-room');
    await lee.watch();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < 150; i++) sends.push(lee.sendMessage(`burst ${i}`));
    await Promise.all(sends);
    const expected = await serverIds(h, 'burst-room');
    const final = await snapshotWhere(channel.messages, (s) => s.messages.length === 150);
    expect(final.messages.map((m) => m.id)).toEqual(expected);
  });

  it('retries a send whose answer was lost with the same id: one message on the server', async () => {
    let loseNext = 1;
    const kim = await h.client('kim', {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (init.method === 'POST' && input.endsWith('/messages') && loseNext-- > 0) throw new TypeError('socket hang up');
        return response;
      },
    });
    await kim.connect();
    const channel = await kim.channels.create({ type: 'messaging', id: 'lost-answer', members: ['kim'] });
    await channel.watch();
    const sent = await channel.sendMessage('exactly once');
    expect(sent.status).toBe('sent');
    expect(await serverIds(h, 'lost-answer')).toEqual([sent.id]);
    expect(channel.messages.getSnapshot().messages.map((m) => m.id)).toEqual([sent.id]);
  });

  it('marks a send failed after its retries, and sends it again with retry()', async () => {
    let failing = 3;
    const kim = await h.client('kim', {
      maxWriteAttempts: 3,
      fetch: async (input, init) => {
        if (init.method === 'POST' && input.endsWith('/messages') && failing-- > 0) {
          return new Response(JSON.stringify({ error: { code: 'service_unavailable', message: 'store down', status: 503, requestId: 'req_test' } }), { status: 503 });
        }
        return fetch(input, init);
      },
    });
    await kim.connect();
    const channel = await kim.channels.create({ type: 'messaging', id: 'failing', members: ['kim'] });
    await channel.watch();
    const error = await channel.sendMessage('will fail').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'service_unavailable', status: 503, requestId: 'req_test' });
    const failed = channel.messages.getSnapshot().messages[0];
    expect(failed).toMatchObject({ status: 'failed', text: 'will fail' });
    const retried = await channel.retry(failed?.id ?? '');
    expect(retried).toMatchObject({ id: failed?.id, status: 'sent' });
    expect(channel.messages.getSnapshot().messages.map((m) => [m.id, m.status])).toEqual([[failed?.id, 'sent']]);

    // A refusal is final at once: no retries.
    const refused = await channel.sendMessage('x'.repeat(6000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatError);
    expect(refused).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(channel.messages.getSnapshot().messages.at(-1)?.status).toBe('failed');
  });

  it("keeps each user's outbox apart on one device, and clears it on disconnect({ clearCache: true })", async () => {
    const device = memoryStorage();
    const net = network();
    await (await h.client('max')).channels.create({ type: 'messaging', id: 'shared-device', members: ['max', 'ned'] });
    const max = await h.client('max', { storage: device, WebSocket: net.WebSocket, fetch: net.fetch });
    await max.connect();
    const channel = max.channel('shared-device');
    await channel.watch();
    net.offline();
    void channel.sendMessage('queued by max 1');
    void channel.sendMessage('queued by max 2');
    await until(() => max.pendingWrites.getSnapshot().length === 2);
    await max.disconnect();
    net.online();

    // Another user on the same device sees none of it.
    const ned = await h.client('ned', { storage: device });
    await ned.connect();
    const nedChannel = ned.channel('shared-device');
    await nedChannel.watch();
    expect(ned.pendingWrites.getSnapshot()).toEqual([]);
    expect(nedChannel.messages.getSnapshot().messages).toEqual([]);
    await ned.disconnect({ clearCache: true });

    // The same user later: the persisted writes show at once and are flushed in order.
    const maxAgain = await h.client('max', { storage: device });
    const again = maxAgain.channel('shared-device');
    await maxAgain.connect();
    await again.watch();
    await until(async () => (await serverIds(h, 'shared-device')).length === 2);
    const texts = await snapshotWhere(again.messages, (s) => s.messages.length === 2 && s.messages.every((m) => m.status === 'sent'));
    expect(texts.messages.map((m) => m.text)).toEqual(['queued by max 1', 'queued by max 2']);

    // Logged out with clearCache: writes queued offline are gone for the next session.
    const net2 = network();
    const maxOffline = await h.client('max', { storage: device, WebSocket: net2.WebSocket, fetch: net2.fetch });
    await maxOffline.connect();
    await maxOffline.channel('shared-device').watch();
    net2.offline();
    void maxOffline.channel('shared-device').sendMessage('never sent').catch(() => undefined);
    await until(() => maxOffline.pendingWrites.getSnapshot().length === 1);
    await maxOffline.disconnect({ clearCache: true });
    const scope = `${h.t.baseUrl}|max`;
    expect(await device.load(scope)).toEqual([]);
    const fresh = await h.client('max', { storage: device });
    await fresh.connect();
    await until(() => fresh.pendingWrites.getSnapshot().length === 0);
    expect(await serverIds(h, 'shared-device')).toHaveLength(2);
  });
});

describe('a gap the server cannot replay', () => {
  let g: Harness;
  let other: ChatClient;

  beforeAll(async () => {
    // The server replays at most 5 missed events here.
    g = await startHarness({ recoveryLimit: 5 });
    await g.tokens('kim');
    other = await g.client('lee');
    await other.connect();
  });
  afterAll(() => g.close());

  it('reloads the window from REST when the server cannot replay the gap (recovered: false)', async () => {
    const net = network();
    const requests: string[] = [];
    const kim = await g.client('kim', {
      WebSocket: net.WebSocket,
      fetch: (input, init) => (requests.push(`${init.method} ${new URL(input).pathname}`), net.fetch(input, init)),
    });
    await kim.connect();
    await kim.channels.create({ type: 'messaging', id: 'gap-room', members: ['kim', 'lee'] });
    const channel = kim.channel('gap-room');
    await channel.watch();
    await other.channel('gap-room').watch();
    await other.channel('gap-room').sendMessage('before the gap');
    await snapshotWhere(channel.messages, (s) => s.messages.length === 1);

    net.offline();
    await snapshotWhere(kim.connection, (s) => s.status === 'connecting');
    // More events than the server replays (its recovery limit is 5 here).
    for (let i = 0; i < 12; i++) await other.channel('gap-room').sendMessage(`missed ${i}`);
    const loads = requests.filter((r) => r === 'GET /api/channels/gap-room/messages').length;
    net.online();
    const reloaded = await snapshotWhere(channel.messages, (s) => s.messages.length === 13);
    expect(requests.filter((r) => r === 'GET /api/channels/gap-room/messages').length).toBe(loads + 1);
    expect(reloaded.messages.map((m) => m.id)).toEqual(await serverIds(g, 'gap-room'));
    // Live again after the reload.
    await other.channel('gap-room').sendMessage('after the gap');
    await snapshotWhere(channel.messages, (s) => s.messages.at(-1)?.text === 'after the gap');
  });
});
