import type { FlagResponse, UserEvent } from '@chatsdk/protocol';
import type { Centrifuge } from 'centrifuge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../src/bus/index.js';
import { type ChatApp, chatApp, createChannel, send } from './helpers/chat.js';
import { call, issueTokens } from './helpers/http.js';
import { connectWithPersonal } from './helpers/realtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { createTestStorage, type TestStorage } from './helpers/stores.js';

const redisUrl = process.env.REDIS_URL ?? '';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A report through one process reaches the moderators connected to the other, over the Redis bus. */
describe.runIf(process.env.DATABASE_URL && redisUrl)('moderation.flagged across two processes on PostgreSQL and Redis', () => {
  let storage: TestStorage;
  let a: TestServer;
  let b: TestServer;
  let chat: ChatApp;
  const clients: Centrifuge[] = [];

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    a = await startTestServer('postgres', { storage, bus: createRedisBus(redisUrl) });
    b = await startTestServer('postgres', { storage, bus: createRedisBus(redisUrl) });
    chat = await chatApp(a, ['alice', 'bob', 'carol']);
    await createChannel(a, { apiKey: chat.apiKey }, { type: 'messaging', id: 'room', members: ['alice', 'bob', 'carol'] });
  }, 60_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("tells a moderator connected to the other process, and not a plain user there", async () => {
    const mod = await issueTokens(a.baseUrl, chat.apiKey, { userId: 'mod', role: 'moderator' });
    const carol = await issueTokens(a.baseUrl, chat.apiKey, { userId: 'carol' });
    const onB = await connectWithPersonal(b, mod.wsToken, 'mod', clients);
    const plainOnB = await connectWithPersonal(b, carol.wsToken, 'carol', clients);
    const message = await send(a, { token: chat.users.alice!.token }, 'room', { text: 'flag me across' });
    const reply = await call<FlagResponse>(a.baseUrl, `/api/messages/${message.id}/flag`, { token: chat.users.bob!.token, body: { reason: 'spam' } });
    expect(reply.status).toBe(201);
    const isIt = (e: UserEvent) => e.type === 'moderation.flagged' && e.flag.id === reply.body.flag.id;
    const event = await onB.personal.until(isIt, 10_000);
    expect(event).toMatchObject({ flag: { messageId: message.id, flagCount: 1, reasons: ['spam'] } });
    await sleep(300);
    expect(plainOnB.personal.items.filter(isIt)).toEqual([]);
  });
});
