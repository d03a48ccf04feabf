import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChatClient, ChatError } from '../src/index.js';
import { TaskPerMessageWebSocket } from '../../server/test/helpers/realtime.js';
import { type Harness, startHarness } from './helpers.js';

let h: Harness;
let apiUrl: string;
let wsUrl: string;
let token: string;
let wsToken: string;
let refreshed = 0;
const refresh = () => refreshed++;
const hadWebSocket = 'WebSocket' in globalThis;

beforeAll(async () => {
  h = await startHarness();
  apiUrl = h.t.baseUrl;
  wsUrl = `${h.t.baseUrl.replace('http', 'ws')}/ws`;
  ({ token, wsToken } = await h.tokens('guide-user'));
  // A browser's global WebSocket (Node 20 has none); everything else is as the guide's frontend has it.
  if (!hadWebSocket) Object.assign(globalThis, { WebSocket: TaskPerMessageWebSocket });
});

afterAll(async () => {
  if (!hadWebSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
  await h.close();
});

it("runs the guide's four lines as written", async () => {
  const client = new ChatClient({ apiUrl, wsUrl, token, wsToken });
  await client.connect();
  const sub = client.on('unauthorized', () => refresh()); sub.remove();

  expect(client.connection.getSnapshot().status).toBe('connected');
  expect(client.userId).toBe('guide-user');
  expect(refreshed).toBe(0);
  await client.disconnect();
});

it('refuses an API key in a browser, with a clear error', () => {
  const g = globalThis as { window?: unknown; document?: unknown };
  g.window = globalThis;
  g.document = {};
  try {
    const options = { apiUrl, token, wsToken, apiKey: h.apiKey } as unknown as ConstructorParameters<typeof ChatClient>[0];
    expect(() => new ChatClient(options)).toThrow(ChatError);
    expect(() => new ChatClient(options)).toThrow(/refuses an apiKey in a browser/);
  } finally {
    delete g.window;
    delete g.document;
  }
});
