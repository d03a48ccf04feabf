import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './helpers/import-graph.js';

const SERVER_SRC = join(dirname(fileURLToPath(import.meta.url)), '../src');

describe('the server source has a one-way import graph', () => {
  it('has no import cycle among its files', () => {
    const graph = importGraph(SERVER_SRC);
    // The walk must see the whole tree, or an empty graph would pass.
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('domain/messages/send-message.ts')).toContain('domain/events/events.ts');
    expect(importCycles(graph)).toEqual([]);
  });

  it('keeps at most 8 files directly in domain/, every other in a capability folder', () => {
    const loose = readdirSync(join(SERVER_SRC, 'domain'), { withFileTypes: true }).filter((e) => e.isFile());
    expect(loose.length).toBeLessThanOrEqual(8);
  });

  it('keeps the transaction machinery free of the message code it runs', () => {
    const graph = importGraph(SERVER_SRC);
    for (const [file, targets] of graph) {
      if (file.startsWith('domain/events/')) expect(targets.filter((t) => t.startsWith('domain/messages/')), file).toEqual([]);
    }
  });
});

describe('the cycle finder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatsdk-imports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('finds a circle through type-only imports, re-exports and a dynamic import, and leaves a chain alone', () => {
    write('a.ts', "import type { B } from './sub/b.js';\nexport type A = B;\n");
    write('sub/b.ts', "export { c } from '../c.js';\nexport type B = number;\n");
    write('c.ts', "export const c = () => import('./a.js');\n");
    write('d.ts', "import { c } from './c.js';\nimport 'node:fs';\nexport const d = c;\n");
    write('self.ts', "export * from './self.js';\n");
    write('d.test.ts', "import { d } from './d.js';\nimport './a.js';\n");
    const graph = importGraph(dir);
    expect([...graph.keys()].sort()).toEqual(['a.ts', 'c.ts', 'd.ts', 'self.ts', 'sub/b.ts']);
    expect(importCycles(graph).sort()).toEqual([['a.ts', 'c.ts', 'sub/b.ts'], ['self.ts']]);
  });
});
