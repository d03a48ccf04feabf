import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatSDK, ChatSDKError, ChatSDKNetworkError } from '../src/index.js';
import { type Chat, type ScriptedServer, startChat, startScriptedServer } from './helpers.js';

/** A port nothing listens on: one that was just free. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('errors carry the server\'s code, status and request id', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat();
  });
  afterAll(() => chat.close());

  it('a wrong API key is invalid_api_key, 401, with the request id the server logged', async () => {
    let headerId: string | null = null;
    const sdk = new ChatSDK({
      apiUrl: chat.t.baseUrl,
      apiKey: 'not-the-key',
      // Wraps the real fetch only to read the answer's x-request-id header beside the SDK.
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        headerId = response.headers.get('x-request-id');
        return response;
      },
    });
    const error = await sdk.createToken({ userId: 'ada' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatSDKError);
    expect(error).not.toBeInstanceOf(ChatSDKNetworkError);
    const e = error as ChatSDKError;
    expect([e.code, e.status, e.attempts]).toEqual(['invalid_api_key', 401, 1]);
    expect(e.requestId).toMatch(/^req_/);
    expect(e.requestId).toBe(headerId);
    expect(e.message).not.toContain('not-the-key');
  });

  it('a malformed userId is validation_failed, 400, with the server\'s message', async () => {
    const error = (await chat.sdk.createToken({ userId: 'has spaces' }).catch((e: unknown) => e)) as ChatSDKError;
    expect(error).toBeInstanceOf(ChatSDKError);
    expect([error.code, error.status]).toEqual(['validation_failed', 400]);
    expect(error.message).toMatch(/userId/);
    expect(error.requestId).toMatch(/^req_/);
  });
});

describe('no answer is a ChatSDKNetworkError, distinct from the server\'s errors', () => {
  let scripted: ScriptedServer | undefined;
  afterEach(async () => {
    await scripted?.close();
    scripted = undefined;
  });

  it('a refused connection is network_error, status 0, with the cause', async () => {
    const sdk = new ChatSDK({ apiUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k', retries: 0 });
    const error = (await sdk.channels.get('x').catch((e: unknown) => e)) as ChatSDKNetworkError;
    expect(error).toBeInstanceOf(ChatSDKNetworkError);
    expect(error).toBeInstanceOf(ChatSDKError);
    expect([error.code, error.status, error.attempts]).toEqual(['network_error', 0, 1]);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('a server that never answers is a timeout after timeoutMs', async () => {
    scripted = await startScriptedServer(() => {});
    const sdk = new ChatSDK({ apiUrl: scripted.url, apiKey: 'k', timeoutMs: 200, retries: 0 });
    const started = Date.now();
    const error = (await sdk.users.get('ada').catch((e: unknown) => e)) as ChatSDKNetworkError;
    expect(error).toBeInstanceOf(ChatSDKNetworkError);
    expect(error.code).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a server that stalls in the middle of its body is a timeout too', async () => {
    scripted = await startScriptedServer((_n, _req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"user":');
    });
    const sdk = new ChatSDK({ apiUrl: scripted.url, apiKey: 'k', timeoutMs: 200, retries: 0 });
    await expect(sdk.users.get('ada')).rejects.toMatchObject({ code: 'timeout', status: 0 });
  });

  it('a proxy\'s HTML error page is unexpected_response with its status', async () => {
    scripted = await startScriptedServer((_n, _req, _body, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const sdk = new ChatSDK({ apiUrl: scripted.url, apiKey: 'k', retries: 0 });
    const error = (await sdk.users.get('ada').catch((e: unknown) => e)) as ChatSDKError;
    expect(error).toBeInstanceOf(ChatSDKError);
    expect(error).not.toBeInstanceOf(ChatSDKNetworkError);
    expect([error.code, error.status]).toEqual(['unexpected_response', 502]);
  });
});

describe('the API key never runs in a browser', () => {
  const g = globalThis as { window?: unknown; document?: unknown };
  afterEach(() => {
    delete g.window;
    delete g.document;
  });

  it('refuses to be constructed in a web page', () => {
    g.window = {};
    g.document = {};
    expect(() => new ChatSDK({ apiUrl: 'http://127.0.0.1:1', apiKey: 'secret' })).toThrow(
      expect.objectContaining({ code: 'api_key_in_browser', name: 'ChatSDKError' }),
    );
  });

  it('runs where there is no page (Node, workers)', () => {
    expect(() => new ChatSDK({ apiUrl: 'http://127.0.0.1:1', apiKey: 'secret' })).not.toThrow();
    g.window = {};
    // A window without a document (some server-side test setups) is not a page.
    expect(() => new ChatSDK({ apiUrl: 'http://127.0.0.1:1', apiKey: 'secret' })).not.toThrow();
  });

  it('refuses options it cannot use', () => {
    expect(() => new ChatSDK({ apiUrl: 'chat.example.com', apiKey: 'k' })).toThrow(TypeError);
    expect(() => new ChatSDK({ apiUrl: 'http://127.0.0.1:1', apiKey: '' })).toThrow(TypeError);
  });
});
