import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dist = join(root, 'packages/node/dist');
const manifest = JSON.parse(readFileSync(join(root, 'packages/node/package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  exports: Record<string, { types: string; default: string }>;
  license: string;
  files: string[];
};

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? jsFiles(path) : entry.name.endsWith('.js') ? [path] : [];
  });
}

describe('the built @chatsdk/node', () => {
  let files: string[];

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/node'], { cwd: root, stdio: 'pipe' });
    files = jsFiles(dist);
  }, 60_000);

  it('imports nothing at run time but node:crypto: @chatsdk/protocol gives types only', () => {
    const specifiers = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) {
        const specifier = match[1] as string;
        if (!specifier.startsWith('.')) specifiers.add(specifier);
      }
    }
    expect(files.length).toBeGreaterThan(5);
    expect([...specifiers]).toEqual(['node:crypto']);
    expect(Object.keys(manifest.dependencies)).toEqual(['@chatsdk/protocol']);
  });

  it('is publishable: MIT, its entry point and types built, README shipped', () => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    const entry = manifest.exports['.'];
    expect(readFileSync(join(root, 'packages/node', entry?.default ?? ''), 'utf8')).toContain('ChatSDK');
    expect(readFileSync(join(root, 'packages/node', entry?.types ?? ''), 'utf8')).toContain('verifyWebhook');
  });

  it('loads in plain Node from dist, touching no network at import, and verifies a delivery', () => {
    const script = `
      globalThis.fetch = () => { throw new Error('fetched at import'); };
      const sdk = await import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)});
      const { createHmac } = await import('node:crypto');
      const key = Buffer.from('c2VjcmV0LWtleS1mb3ItdGVzdHM=', 'base64');
      const body = '{"type":"user.created","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
      const ts = Math.floor(Date.now() / 1000);
      const sig = createHmac('sha256', key).update('evt_1.' + ts + '.' + body).digest('base64');
      const event = sdk.verifyWebhook({ 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': 'v1,' + sig }, body, 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=');
      new sdk.ChatSDK({ apiUrl: 'http://127.0.0.1:1', apiKey: 'k' });
      console.log(event.type);
    `;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim()).toBe('user.created');
  });
});
