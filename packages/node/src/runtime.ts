/**
 * True in a web page (a `window` with a `document`), where the API key would
 * be readable by anyone who opens the page's sources. Server runtimes (Node,
 * Deno, Bun, edge workers) have neither.
 */
export function inBrowserPage(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window === 'object' && g.window !== null && typeof g.document === 'object' && g.document !== null;
}
