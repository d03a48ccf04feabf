import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { OutboundError } from './errors.js';

/** What to do with a body past the size cap. */
export type Overflow = 'refuse' | 'truncate';

/** A body as read: at most the cap, and whether more was left unread. */
export interface ReadBody {
  body: Buffer;
  truncated: boolean;
}

/** The decoder for one content coding; undefined for identity. */
function decoderFor(coding: string, host: string): Transform | undefined {
  switch (coding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new OutboundError('encoding', `unsupported Content-Encoding "${coding}"`, { host });
  }
}

/**
 * Reads a response body through its content codings (gzip, deflate, br),
 * counting bytes after decompression, so a small gzip bomb is cut at the cap
 * like a large page. The compressed bytes are capped too: a stream of empty
 * gzip members would otherwise be read until the time cap. Past the cap the
 * response is destroyed, so nothing more is downloaded or inflated.
 */
export async function readBody(response: IncomingMessage, maxBytes: number, overflow: Overflow, host: string): Promise<ReadBody> {
  const header = response.headers['content-encoding'] ?? '';
  // Codings are listed in the order they were applied; they come off in reverse.
  const decoders = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .reverse()
    .map((coding) => decoderFor(coding, host))
    .filter((d): d is Transform => d !== undefined);

  const tooLarge = () => new OutboundError('too_large', `body over ${maxBytes} bytes`, { host });
  let raw = 0;
  const compressed = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      raw += chunk.length;
      done(raw > maxBytes ? tooLarge() : null, chunk);
    },
  });
  const decoded: Readable =
    decoders.length === 0 ? response : (pipeline([response, compressed, ...decoders], () => undefined) as unknown as Readable);

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of decoded as AsyncIterable<Buffer>) {
      if (size + chunk.length > maxBytes) {
        if (overflow === 'refuse') throw tooLarge();
        chunks.push(chunk.subarray(0, maxBytes - size));
        return { body: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (error) {
    // Compressed input past the cap (with little output so far): keep what was decoded when truncating.
    if (error instanceof OutboundError && error.reason === 'too_large' && overflow === 'truncate') {
      return { body: Buffer.concat(chunks), truncated: true };
    }
    if (error instanceof OutboundError) throw error;
    if (decoders.some((d) => d.errored === error)) throw new OutboundError('encoding', 'the body does not decode', { host, cause: error });
    throw error;
  } finally {
    // Leaving the loop early (cap reached) must not leave the socket downloading or the inflater running.
    response.destroy();
    compressed.destroy();
    for (const decoder of decoders) decoder.destroy();
  }
  return { body: Buffer.concat(chunks), truncated: false };
}
