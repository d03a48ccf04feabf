import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(process.cwd(), 'packages/react');

describe('the @chatsdk/react package', () => {
  it('exports its stylesheet and names every export (no export *)', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; peerDependencies: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.exports['./styles.css']).toBe('./styles.css');
    expect(existsSync(resolve(root, 'styles.css'))).toBe(true);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['react', 'react-dom']);
    expect(pkg.dependencies['@tanstack/react-virtual']).toBeDefined();
    expect(readFileSync(resolve(root, 'src/index.ts'), 'utf8')).not.toMatch(/export \*/);
  });

  it('themes light and dark through variables', () => {
    const css = readFileSync(resolve(root, 'styles.css'), 'utf8');
    expect(css).toMatch(/\.chat-root\[data-theme="dark"\]/);
    expect(css).toMatch(/prefers-color-scheme: dark/);
    expect(css).toMatch(/--chat-bg:/);
  });
});
