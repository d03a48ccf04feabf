import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatApp, createChannel } from './helpers/chat.js';
import { issueTokens } from './helpers/http.js';
import { ERROR_LEVEL, type LogLine, startLoggedServer } from './helpers/logged-server.js';
import { connectedSocket, protocolSocket } from './helpers/protocol-socket.js';
import type { TestServer } from './helpers/server.js';

/** What goes where a command body or a field belongs, but is not an object. */
const NOT_OBJECTS: unknown[] = [null, 'x', [1], 5, true];
/** Every method the gateway answers, each expecting an object body. */
const METHODS = ['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'rpc', 'refresh'];

describe('malformed commands on the socket', () => {
  let t: TestServer & { logs: LogLine[] };
  let wsToken: string;

  beforeAll(async () => {
    t = await startLoggedServer();
    const chat = await chatApp(t, ['ana']);
    wsToken = (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ana' })).wsToken;
    await createChannel(t, { token: chat.users.ana?.token ?? '' }, { type: 'public', id: 'p1' });
  });
  afterAll(() => t.close());
  // A client's bad input is the client's failure, not the server's: nothing at error level.
  afterEach(() => {
    const errors = t.logs.filter((line) => line.level >= ERROR_LEVEL);
    t.logs.length = 0;
    expect(errors).toEqual([]);
  });

  it('answers a body that is null, a string, an array, a number or a boolean with 107, and serves the next command', async () => {
    const s = await connectedSocket(t.baseUrl, wsToken);
    const commands = METHODS.flatMap((method) => NOT_OBJECTS.map((body) => ({ method, body })));
    await s.send(...commands.map(({ method, body }, i) => ({ id: 10 + i, [method]: body })));
    for (const [i, { method, body }] of commands.entries()) {
      const reply = await s.reply(10 + i);
      expect(reply.error, `${method}: ${JSON.stringify(body)}`).toEqual({ code: 107, message: 'bad request' });
    }
    await s.send({ id: 2, presence_stats: { channel: 'p1' } });
    expect(await s.reply(2)).toHaveProperty('presence_stats');
    s.ws.close();
  });

  it('answers fields of the wrong type with 107', async () => {
    const s = await connectedSocket(t.baseUrl, wsToken);
    const bodies: Array<Record<string, unknown>> = [
      { subscribe: { channel: 5 } },
      { subscribe: { channel: '' } },
      { subscribe: { channel: 'p1', recover: 'yes' } },
      { subscribe: { channel: 'p1', recover: true, offset: -1, epoch: 'e' } },
      { subscribe: { channel: 'p1', recover: true, offset: 1.5, epoch: 'e' } },
      { subscribe: { channel: 'p1', recover: true, offset: '2', epoch: 'e' } },
      { subscribe: { channel: 'p1', recover: true, offset: 2, epoch: 7 } },
      { unsubscribe: { channel: 5 } },
      { presence: { channel: ['p1'] } },
      { presence_stats: { channel: { id: 'p1' } } },
      { history: { channel: 'p1', limit: '10' } },
      { history: { channel: 'p1', limit: -1 } },
      { history: { channel: 'p1', since: 5 } },
      { history: { channel: 'p1', since: { offset: '1' } } },
      { history: { channel: 'p1', since: { offset: 1, epoch: 2 } } },
      { history: { channel: 'p1', reverse: 'yes' } },
      { rpc: { method: 5, data: {} } },
      { rpc: { method: 'typing', data: 'x' } },
      { rpc: { method: 'typing', data: null } },
      { rpc: { method: 'typing', data: { channel: 5, typing: true } } },
      { rpc: { method: 'typing', data: { channel: 'p1', typing: 'yes' } } },
      { rpc: { method: 'typing', data: { channel: 'p1', typing: true, parentId: 5 } } },
      { refresh: { token: 5 } },
      { publish: { channel: 5, data: {} } },
      // One command names one method.
      { presence: { channel: 'p1' }, presence_stats: { channel: 'p1' } },
      // An id and no method at all.
      {},
    ];
    await s.send(...bodies.map((body, i) => ({ id: 10 + i, ...body })));
    for (const [i, body] of bodies.entries()) {
      expect((await s.reply(10 + i)).error, JSON.stringify(body)).toEqual({ code: 107, message: 'bad request' });
    }
    // The connection is still whole: a well-formed command still works.
    await s.send({ id: 2, subscribe: { channel: 'p1' } });
    expect(await s.reply(2)).toHaveProperty('subscribe');
    s.ws.close();
  });

  it('ends a connection whose connect is malformed with 3501: the connect cannot succeed, and nothing after it may', async () => {
    for (const body of [...NOT_OBJECTS, { token: 5 }, { token: ['t'] }]) {
      const s = protocolSocket(t.baseUrl);
      await s.send({ id: 1, connect: body }, { id: 2, presence_stats: { channel: 'p1' } });
      expect(await s.closed, JSON.stringify(body)).toEqual({ code: 3501, reason: 'bad request' });
      // Carried in the close frame only, as Centrifugo does over WebSocket: nothing else is sent.
      expect(s.messages()).toEqual([]);
    }
  });

  it('ends a connection with 3501 on a line that is not a command object, before or after connect', async () => {
    for (const line of ['null', '"connect"', '[{"id":1}]', '5', 'true', '{"id":1', '']) {
      if (line !== '') {
        const early = protocolSocket(t.baseUrl);
        await early.send(line);
        expect(await early.closed, `before connect: ${line}`).toEqual({ code: 3501, reason: 'bad request' });
      }
      const late = await connectedSocket(t.baseUrl, wsToken);
      await late.send(line || ' ', { id: 2, presence_stats: { channel: 'p1' } });
      if (line === '') {
        // A blank line is only padding between commands.
        expect(await late.reply(2)).toHaveProperty('presence_stats');
        late.ws.close();
        continue;
      }
      expect(await late.closed, `after connect: ${line}`).toEqual({ code: 3501, reason: 'bad request' });
      expect(late.messages().some((m) => m.id === 2)).toBe(false);
    }
  });
});
