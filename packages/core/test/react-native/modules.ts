import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** The package-exports conditions Metro resolves an `import` with, in its order. */
const CONDITIONS = ['react-native', 'import', 'default'];

function pick(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (!target || typeof target !== 'object') return undefined;
  const record = target as Record<string, unknown>;
  if ('.' in record) return pick(record['.']);
  for (const condition of CONDITIONS) {
    const found = condition in record ? pick(record[condition]) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** A package's entry as Metro (package exports on) picks it: `exports` by condition, else `module`, else `main`. */
function entryOf(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: unknown; module?: string; main?: string };
  return resolve(dir, pick(manifest.exports) ?? manifest.module ?? manifest.main ?? 'index.js');
}

/**
 * Resolves as a React Native bundler does: relative paths, and packages found in `node_modules` up the
 * tree. There is no Node here: `node:fs`, `events` or `buffer` resolve only if an npm package of that
 * name is installed, as on a device.
 */
function resolveSpecifier(specifier: string, from: string): string {
  if (specifier.startsWith('./') || specifier.startsWith('../')) return realpathSync(resolve(dirname(from), specifier));
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  if (name !== specifier) throw new Error(`'${specifier}' (imported by ${from}): the sandbox resolves package entries only`);
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(entryOf(candidate));
    if (dirname(dir) === dir) break;
  }
  throw new Error(`'${specifier}' (imported by ${from}) is not available in React Native`);
}

/**
 * Loads `source` (an ES module, standing at `path`) and everything it imports into `context`, each file
 * once, and runs it. Only ES modules load: a CommonJS file fails on `require`, which the realm lacks.
 */
export async function loadModule(context: vm.Context, source: string, path: string): Promise<vm.SourceTextModule> {
  const files = new Map<string, vm.SourceTextModule>();
  const paths = new WeakMap<vm.Module, string>();
  const create = (code: string, file: string) => {
    const module = new vm.SourceTextModule(code, { context, identifier: pathToFileURL(file).href });
    paths.set(module, file);
    return module;
  };
  const root = create(source, path);
  await root.link((specifier, referencing) => {
    const file = resolveSpecifier(specifier, paths.get(referencing) ?? path);
    let module = files.get(file);
    if (!module) files.set(file, (module = create(readFileSync(file, 'utf8'), file)));
    return module;
  });
  await root.evaluate();
  return root;
}
