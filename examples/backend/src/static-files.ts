import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves a built single-page app: files under `root` as they are, any other
 * path outside `/api` as `index.html` (the app routes in the browser).
 * Vite's hashed `assets/` are cached for good; `index.html` never is.
 */
export function serveSinglePageApp(app: FastifyInstance, root: string): void {
  const base = resolve(root);
  app.get('/*', async (request, reply) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (path.startsWith('/api/')) return reply.callNotFound();
    let file = resolve(join(base, path));
    // A path that climbs out of the root (`/../`) is never served.
    if (file !== base && !file.startsWith(base + sep)) return reply.callNotFound();
    if (!(await isFile(file))) {
      if (extname(path)) return reply.callNotFound();
      file = join(base, 'index.html');
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const immutable = file.startsWith(join(base, 'assets') + sep);
    return reply
      .type(type)
      .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(await readFile(file));
  });
}
