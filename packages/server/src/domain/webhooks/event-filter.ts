/**
 * Whether a webhook subscribed to `patterns` receives events of `type`:
 * an exact type (`message.new`), a family (`message.*`: every type whose
 * first word is `message`) or everything (`*`).
 */
export function subscribesTo(patterns: readonly string[], type: string): boolean {
  for (const pattern of patterns) {
    if (pattern === '*' || pattern === type) return true;
    if (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}

/** The patterns stored in a webhook's `events` column; an unreadable value subscribes to nothing rather than break a send. */
export function parsePatterns(stored: unknown): string[] {
  try {
    const value: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
    return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}
