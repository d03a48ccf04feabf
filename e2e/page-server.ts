import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** A local web page for link previews: ChatSDK may fetch it once `CHATSDK_OUTBOUND_ALLOW_HOSTS` names its `host`. */
export interface PageServer {
  /** `127.0.0.1:<port>`, as the allowlist takes it. */
  host: string;
  /** The article's URL. */
  articleUrl: string;
  /** What the article's Open Graph tags say. */
  article: { title: string; description: string; siteName: string };
  close(): Promise<void>;
}

/** A picture for the article's `og:image`: a dusk gradient. */
async function dusk(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = 40 + Math.round((200 * y) / height);
      pixels[i + 1] = 30 + Math.round((80 * x) / width);
      pixels[i + 2] = 120 - Math.round((60 * y) / height);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Starts the page server on a free port of 127.0.0.1: `/article` (HTML with Open Graph tags) and `/og.png`. */
export async function startPageServer(): Promise<PageServer> {
  const article = { title: 'The harbour at dusk', description: 'Boats come in as the lights go on along the quay: a short walk through the old port.', siteName: 'Harbour Times' };
  const image = await dusk(600, 315);
  let origin = '';
  const server: Server = createServer((request, response) => {
    if (request.url === '/og.png') {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      response.end(image);
      return;
    }
    if (request.url === '/article') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html><head><title>${article.title} | ${article.siteName}</title>
<meta property="og:title" content="${article.title}">
<meta property="og:description" content="${article.description}">
<meta property="og:site_name" content="${article.siteName}">
<meta property="og:image" content="${origin}/og.png">
</head><body><h1>${article.title}</h1><p>${article.description}</p></body></html>`);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    articleUrl: `${origin}/article`,
    article,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}
