import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS } from '../src/realtime/gateway.js';
import { chatApp } from './helpers/chat.js';
import { issueTokens } from './helpers/http.js';
import { connectedSocket, protocolSocket } from './helpers/protocol-socket.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Short enough for a test; the default is checked on its own below. */
const TIMEOUT_MS = 300;

describe('sockets that never connect', () => {
  let t: TestServer;
  let wsToken: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite', { realtime: { connectTimeoutMs: TIMEOUT_MS } });
    const chat = await chatApp(t, ['ana']);
    wsToken = (await issueTokens(t.baseUrl, chat.apiKey, { userId: 'ana' })).wsToken;
  });
  afterAll(() => t.close());

  it('closes every socket that sends no connect within the timeout, with 3502 stale (the client does not retry)', async () => {
    const silent = Array.from({ length: 200 }, () => protocolSocket(t.baseUrl));
    // Pongs are not a connect: a socket that only answers pings is just as stale.
    const pongs = protocolSocket(t.baseUrl);
    await pongs.send({});
    const pinger = setInterval(() => void pongs.send({}), TIMEOUT_MS / 3);
    try {
      // Well past the timeout, and far short of the ping check (~35 s) that used to be the only way out.
      const outcomes = await Promise.all([...silent, pongs].map((s) => s.closedWithin(TIMEOUT_MS * 10 + 3000)));
      for (const outcome of outcomes) expect(outcome).toEqual({ code: 3502, reason: 'stale' });
    } finally {
      clearInterval(pinger);
    }
    // The close frame carries the disconnect; nothing else was sent.
    for (const s of [...silent, pongs]) expect(s.messages()).toEqual([]);
    await expect.poll(() => t.server.gateway.connections.size).toBe(0);
  });

  it('keeps a socket that connected in time open past the timeout', async () => {
    const s = await connectedSocket(t.baseUrl, wsToken);
    expect(await s.closedWithin(TIMEOUT_MS * 4)).toBeUndefined();
    await s.send({ id: 2, presence_stats: { channel: 'none' } });
    expect(await s.reply(2)).toHaveProperty('error');
    s.ws.close();
  });

  it('waits 10 s by default', async () => {
    expect(CONNECT_TIMEOUT_MS).toBe(10_000);
    const plain = await startTestServer('sqlite');
    try {
      expect(plain.server.gateway.settings.connectTimeoutMs).toBe(10_000);
    } finally {
      await plain.close();
    }
  });
});
