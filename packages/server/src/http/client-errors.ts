import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorBody, type ErrorCode, statusOf } from '@chatsdk/protocol';
import type { ConnectionError, FastifyInstance } from 'fastify';
import { randomToken } from '../domain/common/ids.js';
import { BASE_HEADERS } from './response-headers.js';

/** What Node's parser or its timers reported, as one of our codes. */
function codeFor(error: ConnectionError): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  return 'malformed_request';
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  request_timeout: 'the request did not arrive in time',
  headers_too_large: 'the request line and headers are larger than 16 KiB',
  malformed_request: 'the request is not well-formed HTTP',
};

/**
 * Fastify's `clientErrorHandler`: errors Node raises on a connection before
 * any request exists (a bad request line, broken framing, oversized headers,
 * a request that took too long), answered in the one error shape and then
 * closed, since the stream can no longer be trusted to hold requests.
 */
export function answerClientError(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  // A reset peer, or a socket already gone, has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code = codeFor(error);
  const status = statusOf(code);
  const requestId = `req_${randomToken(9)}`;
  const body: ErrorBody = { error: { code, message: MESSAGES[code] ?? code, status, requestId } };
  const json = JSON.stringify(body);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    'x-request-id': requestId,
    ...BASE_HEADERS,
    connection: 'close',
  };
  this.log.debug({ err: error, requestId }, 'client error');
  if (socket.writable) {
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${json}`);
  }
  socket.destroy();
}
