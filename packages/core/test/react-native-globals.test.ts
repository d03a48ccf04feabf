/**
 * The runtime test (react-native-runtime.test.ts) catches a missing global on the paths it runs; this
 * one reads every line of the client as it is emitted, run or not: a global that React Native lacks may
 * be named only through `globalThis`, in a feature check listed here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The language's own globals, as a fresh realm has them (V8 adds these three; Hermes has none of them). */
const LANGUAGE = (vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]).filter((name) => !['console', 'WebAssembly', 'SharedArrayBuffer', 'Atomics'].includes(name));
/** What every React Native gives, beside the language. */
const REACT_NATIVE = ['fetch', 'WebSocket', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'AbortController', 'AbortSignal', 'console'];
const AVAILABLE = new Set([...LANGUAGE, ...REACT_NATIVE]);

/** Each one reviewed: read through `globalThis` and handled when missing. */
const FEATURE_CHECKS = [
  'core/src/client.ts: globalThis.indexedDB', // typeof … === 'object' picks IndexedDB, else memory
  'core/src/emitter.ts: globalThis.reportError', // else console.error
  'core/src/offline/indexeddb.ts: globalThis.indexedDB', // only when the app calls indexedDbStorage() itself
  'core/src/uploads/files.ts: globalThis.Blob', // bytes become a Blob where one can be made of them, else file_unavailable (React Native: pass { uri, name, type })
  'core/src/uploads/files.ts: globalThis.FormData', // React Native has it; missing, an upload fails with file_unavailable
  'core/src/uploads/files.ts: globalThis.URL', // createObjectURL for previews in browsers; React Native's URL has none, and its files preview from their uri
  'core/src/uploads/transport.ts: globalThis.XMLHttpRequest', // progress where it exists (browsers, React Native), else fetch
  'core/src/util.ts: globalThis.crypto', // randomUUID, getRandomValues, else Math.random
];

/** The sources a React Native app bundles: core's, and the entry of @chatsdk/protocol it imports (not its TypeBox schemas). */
function shippedSources(dir: string, deep: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return deep ? shippedSources(path, deep) : [];
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each file as tsc emits it (types gone), transpiled in memory: no build, so nothing here races a build elsewhere. */
function emitted(files: string[]): Map<string, string> {
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  return new Map(files.map((file) => [file, ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options }).outputText]));
}

/** Whether `node` is a name, not a reference: `{ requestId: id } = …`, `import { x }`, `export { x }`, `import.meta`. */
function names(parent: ts.Node, node: ts.Identifier): boolean {
  return (ts.isBindingElement(parent) && parent.propertyName === node) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isMetaProperty(parent);
}

/** Every global the files (path → source) name: free identifiers (declared nowhere in the file) and `globalThis.x` reads. */
function globalsNamed(sources: Map<string, string>): string[] {
  const options: ts.CompilerOptions = { allowJs: true, noLib: true, noResolve: true, types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name, target) => {
    const text = sources.get(name);
    return text === undefined ? undefined : ts.createSourceFile(name, text, target);
  };
  // No lib and no resolution: whatever the checker finds no declaration for is a global.
  const program = ts.createProgram([...sources.keys()], options, host);
  const checker = program.getTypeChecker();
  const named = new Set<string>();
  for (const file of program.getSourceFiles()) {
    const where = relative(join(root, 'packages'), file.fileName);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        const parent = node.parent;
        if (ts.isPropertyAccessExpression(parent) && parent.name === node) {
          if (ts.isIdentifier(parent.expression) && parent.expression.text === 'globalThis' && !AVAILABLE.has(node.text)) named.add(`${where}: globalThis.${node.text}`);
        } else if (!AVAILABLE.has(node.text) && !names(parent, node)) {
          // `{ Buffer }` names the global Buffer: the value of a shorthand property is what counts.
          const symbol = ts.isShorthandPropertyAssignment(parent) ? checker.getShorthandAssignmentValueSymbol(parent) : checker.getSymbolAtLocation(node);
          if (!symbol?.declarations?.length) named.add(`${where}: ${node.text}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return [...named].sort();
}

it('names no global React Native lacks, in core or protocol, but behind a reviewed feature check', () => {
  const files = [...shippedSources(join(root, 'packages/core/src'), true), ...shippedSources(join(root, 'packages/protocol/src'), false)];
  expect(files.length).toBeGreaterThan(20);
  expect(globalsNamed(emitted(files))).toEqual(FEATURE_CHECKS);
});

it('sees a global used without a check, one only tested for, and one read through globalThis', () => {
  const file = join(root, 'packages/core/src/probe.ts');
  const source = `import { seg } from './http/requests.js';
    export const bytes = (text) => Buffer.from(seg(text));
    export const browser = () => typeof window !== 'undefined';
    export function env({ env: named } = {}) { const local = globalThis.process; return local?.env ?? named ?? { fetch, setTimeout, Map, JSON, TextEncoder }; }`;
  expect(globalsNamed(new Map([[file, source]]))).toEqual(['core/src/probe.ts: Buffer', 'core/src/probe.ts: TextEncoder', 'core/src/probe.ts: globalThis.process', 'core/src/probe.ts: window']);
});
