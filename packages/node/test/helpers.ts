import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoreKind } from '../../server/src/store/store.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { ChatSDK, type ChatSDKOptions } from '../src/index.js';

/** A real ChatSDK server over a fresh store, one app, and an SDK holding its key. */
export interface Chat {
  t: TestServer;
  apiKey: string;
  sdk: ChatSDK;
  /** Another SDK against the same server, with options of the test's. */
  sdkWith(options: Partial<ChatSDKOptions>): ChatSDK;
  /** A REST call as a user, with their `Authorization: Bearer` token. */
  asUser(token: string, path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the server on `kind` (SQLite by default; options as `startTestServer` takes them). */
export async function startChat(options: Parameters<typeof startTestServer>[1] = {}, kind: StoreKind = 'sqlite'): Promise<Chat> {
  const t = await startTestServer(kind, options);
  const { apiKey } = await t.createApp();
  const sdkWith = (more: Partial<ChatSDKOptions>) => new ChatSDK({ apiUrl: t.baseUrl, apiKey, ...more });
  return {
    t,
    apiKey,
    sdk: sdkWith({}),
    sdkWith,
    asUser: (token, path, init = {}) =>
      fetch(`${t.baseUrl}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } }),
    close: () => t.close(),
  };
}

/** A plain local HTTP server whose answers the test scripts, and the requests it saw. */
export interface ScriptedServer {
  url: string;
  requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string; at: number }[];
  close(): Promise<void>;
}

/** Answers request number `n` (from 0) with `answer(n, req, body, res)`. */
export async function startScriptedServer(
  answer: (n: number, req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = requests.length;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
      answer(n, req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with a status, as ChatSDK would. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** ChatSDK's error shape. */
export function errorBody(code: string, status: number, requestId = 'req_scripted'): unknown {
  return { error: { code, message: `${code} (scripted)`, status, requestId } };
}
