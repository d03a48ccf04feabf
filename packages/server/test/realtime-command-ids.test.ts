import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatApp, createChannel } from './helpers/chat.js';
import { issueTokens } from './helpers/http.js';
import { connectedSocket, protocolSocket, type ProtocolSocket } from './helpers/protocol-socket.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Every line the server sent is one JSON object: nothing a client wrote can change a reply's shape. */
function expectWellFormed(s: ProtocolSocket): void {
  for (const line of s.lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  expect(s.messages()).toHaveLength(s.lines.length);
}

describe('command ids', () => {
  let t: TestServer;
  let wsToken: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    const chat = await chatApp(t, ['ana']);
    wsToken = (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ana' })).wsToken;
    await createChannel(t, { token: chat.users.ana?.token ?? '' }, { type: 'public', id: 'p1' });
  });
  afterAll(() => t.close());

  it('cannot forge a reply by writing JSON into its id: the connection ends with 3501', async () => {
    const s = await connectedSocket(t.baseUrl, wsToken);
    // As text, the id would close the quote and add a connect result of the client's choosing.
    await s.send('{"id":"7,\\"connect\\":{\\"client\\":\\"spoof\\"},\\"x\\":1","presence_stats":{"channel":"p1"}}');
    expect(await s.closedWithin(3000)).toEqual({ code: 3501, reason: 'bad request' });
    expectWellFormed(s);
    expect(s.messages().filter((m) => m.id === 7)).toEqual([]);
    expect(JSON.stringify(s.messages())).not.toContain('spoof');
  });

  it('ends the connection (3501) for an id that is not an unsigned 32-bit integer, and never answers it', async () => {
    for (const id of ['abc', '1', -1, 1.5, 4294967296, 1e21, true, null, [], {}]) {
      const s = await connectedSocket(t.baseUrl, wsToken);
      await s.send({ id, presence_stats: { channel: 'p1' } }, { id: 3, presence_stats: { channel: 'p1' } });
      expect(await s.closedWithin(3000), JSON.stringify(id)).toEqual({ code: 3501, reason: 'bad request' });
      expectWellFormed(s);
      // Only the connect reply (the close frame carries the disconnect): neither the bad command nor the one after it is answered.
      expect(s.messages().map((m) => Object.keys(m))).toEqual([['id', 'connect']]);
    }
  });

  it('ends the connection for a bad id on the first command, before connect', async () => {
    const s = protocolSocket(t.baseUrl);
    await s.send({ id: 'x', connect: { token: wsToken } });
    expect(await s.closedWithin(3000)).toEqual({ code: 3501, reason: 'bad request' });
    expectWellFormed(s);
  });

  it('answers the largest id, and treats an absent id or id 0 as a pong that gets no reply', async () => {
    const s = await connectedSocket(t.baseUrl, wsToken);
    await s.send(
      { id: 4294967295, presence_stats: { channel: 'p1' } },
      { id: 0, presence_stats: { channel: 'p1' } },
      { presence_stats: { channel: 'p1' } },
      {},
      { id: 5, presence_stats: { channel: 'p1' } },
    );
    expect((await s.reply(4294967295)).presence_stats).toEqual({ num_clients: 0, num_users: 0 });
    expect(await s.reply(5)).toHaveProperty('presence_stats');
    expectWellFormed(s);
    // The connect reply, then 4294967295 and 5, in order: nothing for the id-less commands.
    expect(s.messages().map((m) => m.id)).toEqual([1, 4294967295, 5]);
    expect(await s.closedWithin(200)).toBeUndefined();
    s.ws.close();
  });
});
