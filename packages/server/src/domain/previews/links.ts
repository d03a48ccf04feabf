/** Links previewed per message: the first few, as most chat products do, so a list of links is not a crawl. */
export const LINKS_PER_MESSAGE = 3;

/** Longest link previewed; longer ones are skipped (and HttpUrl refuses them as attachment URLs anyway). */
const MAX_LINK_LENGTH = 2048;

/** A link found in a message's text. */
export interface FoundLink {
  /** The URL as a client's link holds it (`new URL(text).href`): the attachment's `url`. */
  url: string;
  /** The same without its fragment: what is fetched, and the cache's key. */
  key: string;
}

// Code blocks and inline code are not links to the clients (react/src/text/tokens.ts), so not here either.
const CODE = /```[\s\S]*?```|`[^`\n]*`/g;
// [label](url) or a bare http(s) URL, as the clients find them.
const LINK = /\[[^\]\n]{1,500}\]\(([^)\s]{1,2000})\)|(https?:\/\/[^\s<>"']+)/gi;

/** A bare URL ends before trailing punctuation, and before a `)` it did not open. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    const head = url.slice(0, end);
    if (last && '.,;:!?\'"'.includes(last)) end--;
    else if (last === ')' && (head.match(/\(/g)?.length ?? 0) < (head.match(/\)/g)?.length ?? 0)) end--;
    else break;
  }
  return url.slice(0, end);
}

function parseLink(text: string): FoundLink | undefined {
  if (text.length > MAX_LINK_LENGTH || /[\u0000-\u001f\u007f]/.test(text)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return undefined;
  const url = parsed.href;
  parsed.hash = '';
  return { url, key: parsed.href };
}

/** The first `LINKS_PER_MESSAGE` distinct http(s) links of a text, in order. */
export function findLinks(text: string, limit = LINKS_PER_MESSAGE): FoundLink[] {
  const found: FoundLink[] = [];
  const seen = new Set<string>();
  for (const match of text.replace(CODE, ' ').matchAll(LINK)) {
    const [, target, bare] = match;
    const link = parseLink(target ?? trimUrl(bare ?? ''));
    if (!link || seen.has(link.key)) continue;
    seen.add(link.key);
    found.push(link);
    if (found.length === limit) break;
  }
  return found;
}
