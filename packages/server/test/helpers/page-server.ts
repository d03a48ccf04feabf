import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request of a page server. */
export type PageHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** A request a page server received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The local address the connection landed on (which of the loopback addresses the client connected to). */
  to: string;
}

/**
 * A local web server that the link previews and the guard fetch from: it
 * listens on every loopback address (`::`, dual stack, so 127.0.0.1, [::1]
 * and [::ffff:127.0.0.1] all reach it) and records every request, so a test
 * can prove that a refused URL was never fetched.
 */
export interface PageServer {
  port: number;
  /** `http://127.0.0.1:port<path>`. */
  url(path: string): string;
  /** `127.0.0.1:port`, for the outbound allowlist. */
  hostPort: string;
  requests: SeenRequest[];
  /** Requests for one path (query string ignored). */
  hits(path: string): number;
  /** Adds or replaces the handler of a path. */
  route(path: string, handler: PageHandler): void;
  close(): Promise<void>;
}

/** An HTML page answered with its type. */
export function html(body: string, headers: Record<string, string> = {}): PageHandler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
    response.end(body);
  };
}

/** Starts a page server with the given routes; unknown paths are 404. */
export async function startPageServer(routes: Record<string, PageHandler> = {}): Promise<PageServer> {
  const table = new Map(Object.entries(routes));
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: request.method ?? '', path, headers: request.headers, to: request.socket.localAddress ?? '' });
    const handler = table.get(path);
    if (handler) handler(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    hits: (path) => requests.filter((r) => r.path === path).length,
    route: (path, handler) => table.set(path, handler),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page that is answered only when the test says so: for what happens while a fetch is in flight. */
export interface HeldPage {
  handler: PageHandler;
  /** Resolves once a request for the page has arrived (and is being held). */
  arrived(): Promise<void>;
  /** Answers every held request, and those still to come, with the page. */
  release(): void;
}

/** Holds requests for `body` until `release()`. */
export function heldPage(body: string): HeldPage {
  const waiting: ServerResponse[] = [];
  const arrivals: Array<() => void> = [];
  let released = false;
  const answer = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body);
  };
  return {
    handler(_request, response) {
      if (released) return answer(response);
      waiting.push(response);
      for (const wake of arrivals.splice(0)) wake();
    },
    arrived: () => (waiting.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => arrivals.push(resolve))),
    release() {
      released = true;
      for (const response of waiting.splice(0)) answer(response);
    },
  };
}
