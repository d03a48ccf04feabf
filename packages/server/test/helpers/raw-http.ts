import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

/** Host and port of a test server's base URL. */
function addressOf(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  return { host: url.hostname, port: Number(url.port) };
}

/** A TCP connection to the server, open and ready to write. */
export function openSocket(baseUrl: string): Promise<Socket> {
  const { host, port } = addressOf(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything a socket receives from now on, and whether (and when) the server closed it. */
export interface SocketRecording {
  readonly text: string;
  readonly closed: boolean;
  /** Resolves when the other side ends or the socket is destroyed; rejects after `ms`. */
  whenClosed(ms: number): Promise<void>;
}

/** Records what arrives on a socket until it closes. */
export function record(socket: Socket): SocketRecording {
  let text = '';
  let closed = false;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    // A reset from the server is a close too; the error must not go unhandled.
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      resolve();
    });
  });
  return {
    get text() {
      return text;
    },
    get closed() {
      return closed;
    },
    whenClosed(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms; got ${JSON.stringify(text.slice(0, 200))}`)), ms);
      });
      return Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    },
  };
}

/** Writes `request` on a new connection and returns what came back by the time the server closed it. */
export async function exchange(baseUrl: string, request: string | Buffer, ms = 5000): Promise<string> {
  const socket = await openSocket(baseUrl);
  const recording = record(socket);
  socket.write(request);
  try {
    await recording.whenClosed(ms);
  } finally {
    socket.destroy();
  }
  return recording.text;
}

/** Splits raw text into the responses it holds (pipelined ones included), by their Content-Length. */
export function parseResponses(raw: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = end + 4;
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(bodyStart, bodyStart + length) });
    rest = rest.slice(bodyStart + length);
  }
  return responses;
}

/** Turns a raw response into what `errorReplyProblems` of the OpenAPI sweep reads. */
export function asReply(response: RawResponse): { status: number; headers: Headers; text: string } {
  return { status: response.status, headers: new Headers(response.headers), text: response.body };
}
