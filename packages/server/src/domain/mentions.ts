/** `@alice` in text, where the id may hold `. @ : -` as user ids do. */
const MENTION = /(^|[^A-Za-z0-9_.@:-])@([A-Za-z0-9_.@:-]+)/g;

/**
 * User ids a text mentions. A mention at the end of a sentence ("thanks
 * @bob.") carries trailing punctuation, so each token also stands for itself
 * without it; only ids that are members will be kept.
 */
export function mentionCandidates(text: string): string[] {
  const ids = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const token = match[2] ?? '';
    ids.add(token);
    const trimmed = token.replace(/[.:@-]+$/, '');
    if (trimmed) ids.add(trimmed);
  }
  return [...ids];
}
