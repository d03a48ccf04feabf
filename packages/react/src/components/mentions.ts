/** The `@query` being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): { query: string; start: number } | null {
  const match = /(^|\s)@([A-Za-z0-9_.:-]{0,40})$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { query: match[2] ?? '', start: caret - (match[2] ?? '').length - 1 };
}

/** The member ids that the text mentions as `@id`. */
export function mentionedIn(text: string, memberIds: readonly string[]): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|[^A-Za-z0-9_.])@([A-Za-z0-9_][A-Za-z0-9_.:@-]*)/g)) {
    const id = (match[1] ?? '').replace(/[.:-]+$/, '');
    if (memberIds.includes(id)) found.add(id);
  }
  return [...found];
}
