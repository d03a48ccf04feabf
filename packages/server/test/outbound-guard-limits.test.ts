import type { ServerResponse } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundGuard, OUTBOUND_DEFAULTS, OutboundError, type OutboundGuard, type OutboundRequest } from '../src/outbound/index.js';
import { html, type PageServer, startPageServer } from './helpers/page-server.js';

const MiB = 1024 * 1024;

/** The error a fetch rejects with (the test fails if it resolves). */
async function failure(guard: OutboundGuard, url: string, request?: OutboundRequest): Promise<OutboundError> {
  const outcome = await guard.fetch(url, request).then(
    (response) => new Error(`fetched ${url}: ${response.status}, ${response.body.length} bytes`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof OutboundError)) throw outcome;
  return outcome;
}

/** Writes `total` bytes of `byte` in 64 KiB chunks, stopping when the client goes away; resolves with what it wrote. */
function stream(response: ServerResponse, total: number, written: { bytes: number }): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const push = () => {
    while (written.bytes < total && !response.destroyed) {
      written.bytes += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', push);
    }
    if (!response.destroyed) response.end();
  };
  push();
}

describe('the outbound guard caps redirects, time and size', () => {
  let pages: PageServer;
  let guard: OutboundGuard;
  const endlessWritten = { bytes: 0 };
  // 64 MiB of zeros: about 64 KiB of gzip.
  const bomb = gzipSync(Buffer.alloc(64 * MiB));

  beforeAll(async () => {
    pages = await startPageServer({
      '/r/0': html('<title>landed</title>'),
      '/slow-body': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<title>slow');
        // ...and the rest never comes.
      },
      '/silent': () => {
        // Never answers.
      },
      '/big': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        stream(response, 2 * MiB, { bytes: 0 });
      },
      '/endless': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        stream(response, 1024 * MiB, endlessWritten);
      },
      '/big-declared': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-length': String(2 * MiB) });
        response.end(Buffer.alloc(2 * MiB, 'a'));
      },
      '/bomb': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        response.end(bomb);
      },
      '/brotli': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br' });
        response.end(brotliCompressSync(Buffer.from('<title>brotli</title>')));
      },
      '/zstd': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'zstd' });
        response.end('whatever');
      },
      '/corrupt-gzip': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        response.end(Buffer.from('this is not gzip at all'));
      },
      '/image.png': (_request, response) => {
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end(Buffer.alloc(1000));
      },
      '/untyped': (_request, response) => {
        response.writeHead(200);
        response.end('<title>no type</title>');
      },
      '/echo': (request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ method: request.method, body, type: request.headers['content-type'] ?? null, auth: request.headers.authorization ?? null }));
        });
      },
    });
    for (let n = 1; n <= 5; n++) pages.route(`/r/${n}`, (_request, response) => response.writeHead(302, { location: `/r/${n - 1}` }).end());
    pages.route('/see-other', (_request, response) => response.writeHead(303, { location: '/echo' }).end());
    pages.route('/keep-method', (_request, response) => response.writeHead(307, { location: '/echo' }).end());
    pages.route('/to-other-origin', (_request, response) => response.writeHead(307, { location: `http://[::1]:${pages.port}/echo` }).end());
    pages.route('/no-location', (_request, response) => response.writeHead(302).end());
    guard = createOutboundGuard({ allowHosts: [pages.hostPort, `[::1]:${pages.port}`] });
  });
  afterAll(() => pages.close());

  it('has the documented defaults: 5 s, 1 MiB, 3 redirects', () => {
    expect(OUTBOUND_DEFAULTS).toEqual({ timeoutMs: 5000, maxBytes: MiB, maxRedirects: 3 });
  });

  it('follows 3 redirects, judging each hop, and reports where it landed', async () => {
    const response = await guard.fetch(pages.url('/r/3'));
    expect(response.status).toBe(200);
    expect(response.url).toBe(pages.url('/r/0'));
  });

  it('refuses a 4th redirect without requesting its target', async () => {
    const landed = pages.hits('/r/0');
    expect((await failure(guard, pages.url('/r/4'))).reason).toBe('redirects');
    expect(pages.hits('/r/0')).toBe(landed);
    expect((await failure(guard, pages.url('/r/1'), { maxRedirects: 0 })).reason).toBe('redirects');
    expect((await failure(guard, pages.url('/no-location'))).reason).toBe('redirects');
  });

  it('cuts a page whose body stops coming at the time cap', async () => {
    expect((await failure(guard, pages.url('/slow-body'), { timeoutMs: 300 })).toLog()).toEqual({ reason: 'timeout', host: pages.hostPort });
  });

  it('cuts a server that never answers at the time cap', async () => {
    expect((await failure(guard, pages.url('/silent'), { timeoutMs: 300 })).reason).toBe('timeout');
  });

  it('refuses a 2 MiB page (no length declared) at the 1 MiB cap', async () => {
    expect((await failure(guard, pages.url('/big'))).reason).toBe('too_large');
  });

  it('stops downloading at the cap: a 1 GiB page is not read to its end', async () => {
    expect((await failure(guard, pages.url('/endless'))).reason).toBe('too_large');
    // The connection was closed at the cap, so the server could push no more than the sockets' buffers hold.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(endlessWritten.bytes).toBeLessThan(64 * MiB);
  });

  it('refuses a declared 2 MiB body before reading it', async () => {
    expect((await failure(guard, pages.url('/big-declared'))).reason).toBe('too_large');
  });

  it('keeps the first 1 MiB of a large page when asked to truncate', async () => {
    const response = await guard.fetch(pages.url('/big-declared'), { overflow: 'truncate' });
    expect(response.truncated).toBe(true);
    expect(response.body.length).toBe(MiB);
  });

  it('cuts a gzip bomb at the cap on its decompressed bytes', async () => {
    expect(bomb.length).toBeLessThan(MiB);
    expect((await failure(guard, pages.url('/bomb'))).reason).toBe('too_large');
    const response = await guard.fetch(pages.url('/bomb'), { overflow: 'truncate', maxBytes: 100_000 });
    expect(response.truncated).toBe(true);
    expect(response.body.length).toBe(100_000);
    expect(response.body.every((b) => b === 0)).toBe(true);
  });

  it('decodes brotli, and refuses codings it cannot decode or bodies that do not decode', async () => {
    expect((await guard.fetch(pages.url('/brotli'))).body.toString()).toBe('<title>brotli</title>');
    expect((await failure(guard, pages.url('/zstd'))).reason).toBe('encoding');
    expect((await failure(guard, pages.url('/corrupt-gzip'))).reason).toBe('encoding');
  });

  it('refuses content types the caller does not read, before the body', async () => {
    const only = { contentTypes: ['text/html'], accept: 'text/html' };
    expect((await failure(guard, pages.url('/image.png'), only)).reason).toBe('content_type');
    expect((await failure(guard, pages.url('/untyped'), only)).reason).toBe('content_type');
    expect((await guard.fetch(pages.url('/r/0'), only)).contentType).toBe('text/html');
    expect(pages.requests.filter((r) => r.path === '/r/0').at(-1)?.headers.accept).toBe('text/html');
  });

  it('sends a method, headers and a body; 303 continues as a GET, 307 keeps the POST', async () => {
    const post = { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' } };
    const echoed = async (path: string) => JSON.parse((await guard.fetch(pages.url(path), post)).body.toString()) as Record<string, unknown>;
    expect(await echoed('/echo')).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json', auth: 'Bearer s3cret' });
    expect(await echoed('/see-other')).toEqual({ method: 'GET', body: '', type: null, auth: 'Bearer s3cret' });
    expect(await echoed('/keep-method')).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json', auth: 'Bearer s3cret' });
    // A credential does not follow a redirect to another origin.
    expect(await echoed('/to-other-origin')).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json', auth: null });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = failure(guard, pages.url('/silent'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await pending).reason).toBe('aborted');
  });
});
