import type { IncomingMessage } from 'node:http';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import { errorResponses, type TypedApp } from '../../http/typed.js';
import { ClientConnection } from '../connection.js';
import { type Framing, JSON_FRAMING, PROTOBUF_FRAMING } from '../framing.js';
import { HttpStreamOutlet, type StreamLayout } from '../outlets/http-stream.js';
import type { GatewayServices } from '../services.js';
import type { Transport } from '../transport.js';
import { BadEmulationRequest, type EmulationRequest, emulationRequestFromJson, emulationRequestFromProtobuf } from './emulation-request.js';

/** The largest body of a stream's first request or of an emulation request, as Centrifugo's default. */
export const MAX_EMULATION_BODY_BYTES = 64 * 1024;

const PROTOBUF_TYPE = 'application/octet-stream';

/** Where the sessions of the emulated transports live, and how a request reaches one held by another process. */
export interface EmulatedSessions {
  /** Registers a session of this process, until it closes. */
  add(connection: ClientConnection): void;
  /** Hands a request to its session, here or on the process it names. Answers false when it names one of ours that is gone. */
  deliver(request: EmulationRequest): Promise<boolean>;
}

/**
 * A body kept as bytes. The bytes are not enumerable, so the input guards'
 * walk over every body (NUL characters, depth) does not visit a Buffer's
 * every index; the commands inside are read and checked by the framing.
 */
interface RawBody {
  readonly bytes?: Buffer;
}

function rawBody(bytes: Buffer): RawBody {
  const body = {};
  Object.defineProperty(body, 'bytes', { value: bytes, enumerable: false });
  return body;
}

function bytesOf(body: unknown): Buffer {
  const bytes = (body as RawBody | undefined)?.bytes;
  if (!bytes || bytes.length === 0) throw new ApiError('validation_failed', 'the body must hold the commands');
  return bytes;
}

const isProtobuf = (request: FastifyRequest) => (request.headers['content-type'] ?? '').startsWith(PROTOBUF_TYPE);

/**
 * A stream is opened only for a readable connect: anything else gets its 400
 * now, in the error shape, rather than a stream that at once carries 3501.
 */
function requireConnect(framing: Framing, first: Buffer): void {
  const [parsed] = framing.read(first);
  if (parsed?.kind !== 'command' || parsed.command.method !== 'connect') {
    throw new ApiError('validation_failed', `the first command must be a readable connect, in the ${framing.name} framing`);
  }
}

/**
 * Answers a streaming request with a session: the response stays open and
 * carries every reply and push, in `layout`; the first request's commands (the
 * client's connect) are served at once, and later ones arrive through
 * `/emulation`.
 */
function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  framing: Framing,
  layout: StreamLayout,
  first: Buffer,
  services: GatewayServices,
  sessions: EmulatedSessions,
  onClose: (connection: ClientConnection) => void,
): ClientConnection {
  const contentType = layout === 'sse' ? 'text/event-stream' : framing.name === 'protobuf' ? PROTOBUF_TYPE : 'application/json';
  // The response is written by the session from here on; the headers set so far (request id, CORS) go with it.
  reply.hijack();
  const response = reply.raw;
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  response.writeHead(200, {
    ...headers,
    'content-type': contentType,
    'cache-control': 'no-store',
    // Proxies that buffer responses (nginx) would hold the stream back.
    'x-accel-buffering': 'no',
  });
  response.flushHeaders();
  // A stream is quiet between events: the gateway's pings, not the HTTP idle timeout, tell a dead client.
  (request.raw as IncomingMessage).socket.setTimeout(0);
  const transport: Transport = {
    framing,
    outlet: new HttpStreamOutlet(response, layout, (disconnect) => framing.message({ push: { disconnect } })),
    emulated: true,
    end: () => response.end(),
    destroy: () => response.destroy(),
  };
  const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
  const connection = new ClientConnection(transport, services, origin, onClose);
  sessions.add(connection);
  response.on('close', () => connection.ended());
  connection.receive(first);
  return connection;
}

/**
 * The transports for networks that block WebSockets, as the `centrifuge`
 * client's `transports` option uses them: `http_stream` (a streamed POST
 * response, JSON or Protobuf) and `sse` (EventSource, JSON), with the client's
 * commands posted to `/emulation`. They are Centrifugo's paths, so a client
 * configured for Centrifugo needs only the host changed.
 */
export function registerStreamTransports(
  app: TypedApp,
  services: GatewayServices,
  sessions: EmulatedSessions,
  onOpen: (connection: ClientConnection) => void,
  onClose: (connection: ClientConnection) => void,
): void {
  void app.register(async (scope) => {
    // These bodies are protocol messages, read by the framing: kept as bytes, JSON or Protobuf alike.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/json', PROTOBUF_TYPE, 'text/plain'], { parseAs: 'buffer', bodyLimit: MAX_EMULATION_BODY_BYTES }, (_request, body, done) =>
      done(null, rawBody(body as Buffer)),
    );
    const config = { access: 'public' } as const;
    const tags = ['realtime'];
    // Protocol endpoints, not REST resources: the README documents them (Realtime), the REST document does not.
    const hide = true;

    scope.post(
      '/connection/http_stream',
      {
        config,
        schema: {
          hide,
          tags,
          summary: 'HTTP-streaming transport: the body holds the first commands (connect); the response streams every reply and push',
          body: {},
          response: errorResponses,
        },
      },
      async (request, reply) => {
        const first = bytesOf(request.body);
        const framing = isProtobuf(request) ? PROTOBUF_FRAMING : JSON_FRAMING;
        requireConnect(framing, first);
        onOpen(openStream(request, reply, framing, framing.name === 'protobuf' ? 'protobuf' : 'json-lines', first, services, sessions, onClose));
      },
    );

    scope.get(
      '/connection/sse',
      {
        config,
        schema: {
          hide,
          tags,
          summary: 'Server-Sent Events transport (JSON): cf_connect holds the first commands; the response is an event stream',
          querystring: Type.Object(
            { cf_connect: Type.String({ minLength: 1, maxLength: MAX_EMULATION_BODY_BYTES }) },
            { additionalProperties: false },
          ),
          response: errorResponses,
        },
      },
      async (request, reply) => {
        const first = Buffer.from((request.query as { cf_connect: string }).cf_connect);
        requireConnect(JSON_FRAMING, first);
        onOpen(openStream(request, reply, JSON_FRAMING, 'sse', first, services, sessions, onClose));
      },
    );

    scope.post(
      '/emulation',
      {
        config,
        schema: {
          hide,
          tags,
          summary: "Commands of an HTTP-streaming or SSE session: { session, node, data } (JSON), or a Protobuf EmulationRequest",
          body: {},
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const bytes = bytesOf(request.body);
        let emulation: EmulationRequest;
        try {
          emulation = isProtobuf(request) ? emulationRequestFromProtobuf(bytes) : emulationRequestFromJson(bytes);
        } catch (error) {
          if (error instanceof BadEmulationRequest) throw new ApiError('validation_failed', `body is not an emulation request: ${error.message}`);
          throw error;
        }
        if (!(await sessions.deliver(emulation))) throw new ApiError('session_not_found', `no session "${emulation.session}" on this process`);
        return reply.code(204).send();
      },
    );
  });
}
