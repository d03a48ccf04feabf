import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dist = join(root, 'packages/core/dist');
const manifest = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as { dependencies: Record<string, string>; sideEffects: boolean };

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? jsFiles(path) : entry.name.endsWith('.js') ? [path] : [];
  });
}

describe('the built package', () => {
  let files: string[];

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/core'], { cwd: root, stdio: 'pipe' });
    files = jsFiles(dist);
  }, 60_000);

  // 30 KB until issue 15 added files (uploads with progress, sends with files through the outbox,
  // cancel, link renewal): about 7 KB more here, 2.8 KB once minified. 35 KB until issue 17 added
  // moderation (bans, the review queue, blocklists, audit, the composer's send state): 4.4 KB more
  // here, 1.6 KB once minified and gzipped.
  it('is at most 40 KB gzipped (its own code, comments included)', () => {
    const code = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    const gzipped = gzipSync(code, { level: 9 }).length;
    expect(files.length).toBeGreaterThan(10);
    expect(gzipped).toBeLessThanOrEqual(40 * 1024);
  });

  it('imports nothing at run time but centrifuge and @chatsdk/protocol', () => {
    const specifiers = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) {
        const specifier = match[1] as string;
        if (!specifier.startsWith('.')) specifiers.add(specifier);
      }
    }
    expect([...specifiers].sort()).toEqual(['@chatsdk/protocol', 'centrifuge']);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@chatsdk/protocol', 'centrifuge']);
    expect(manifest.sideEffects).toBe(false);
  });

  it('imports without touching window, document or the network (SSR)', () => {
    const script = `
      for (const name of ['window', 'document', 'localStorage', 'indexedDB', 'WebSocket', 'navigator']) {
        Object.defineProperty(globalThis, name, { configurable: true, get() { throw new Error('touched ' + name + ' at import'); } });
      }
      globalThis.fetch = () => { throw new Error('fetched at import'); };
      const sdk = await import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)});
      if (typeof sdk.ChatClient !== 'function') throw new Error('no ChatClient');
      console.log('ok');
    `;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim()).toBe('ok');
  });
});
