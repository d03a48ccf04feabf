import WebSocket from 'ws';

/** How a socket ended: the close code and reason the client saw. */
export interface Closed {
  code: number;
  reason: string;
}

/**
 * A bare protocol socket on `/ws`: what a broken, hostile or stalled client
 * can do that the real `centrifuge` client never would. It keeps every line
 * the server sent, as text, so a test can check that each one is JSON.
 */
export interface ProtocolSocket {
  ws: WebSocket;
  /** Every newline-separated line the server sent, in order, unparsed. */
  lines: string[];
  /** The lines that parse as JSON objects, in order. */
  messages(): Array<Record<string, unknown>>;
  /** Settles when the socket closes. */
  closed: Promise<Closed>;
  /** Sends one frame of commands: objects are serialised, strings go as they are. */
  send(...commands: unknown[]): Promise<void>;
  /** The reply to command `id`, once it comes. */
  reply(id: number, ms?: number): Promise<Record<string, unknown>>;
  /** How the socket closed, or `undefined` if it is still open after `ms`. */
  closedWithin(ms: number): Promise<Closed | undefined>;
}

function parsed(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Opens a protocol socket to a test server's `/ws` (by its base URL, `http://host:port`). */
export function protocolSocket(baseUrl: string): ProtocolSocket {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    for (const line of data.toString().split('\n')) if (line.trim() !== '') lines.push(line);
    for (const wake of waiters) wake();
  });
  // A socket the server cuts can also report an error (ECONNRESET); the close that follows is what counts.
  ws.on('error', () => {});
  const closed = new Promise<Closed>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const messages = () => lines.map(parsed).filter((m): m is Record<string, unknown> => m !== undefined);
  return {
    ws,
    lines,
    messages,
    closed,
    async send(...commands) {
      await opened;
      ws.send(commands.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('\n'));
    },
    reply(id, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages().find((m) => m.id === id);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no reply ${id}; got ${lines.join('\n').slice(0, 500)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    closedWithin(ms) {
      return Promise.race([closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
    },
  };
}

/** A protocol socket that has sent `connect` with `wsToken` and received its reply. */
export async function connectedSocket(baseUrl: string, wsToken: string): Promise<ProtocolSocket> {
  const socket = protocolSocket(baseUrl);
  await socket.send({ id: 1, connect: { token: wsToken } });
  const reply = await socket.reply(1);
  if (!('connect' in reply)) throw new Error(`connect refused: ${JSON.stringify(reply)}`);
  return socket;
}
