/** A piece of message text, as the components render it: never as HTML. */
export type TextToken =
  | { type: 'text'; text: string }
  | { type: 'link'; href: string; text: string }
  | { type: 'mention'; userId: string; text: string }
  | { type: 'code'; text: string }
  | { type: 'codeBlock'; text: string }
  | { type: 'break' };

/** Schemes a link may have; anything else (`javascript:`, `data:`, `vbscript:`…) stays plain text. */
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL if it is absolute and of a safe scheme; undefined otherwise. */
export function safeHref(url: string): string | undefined {
  // Browsers ignore tabs and newlines inside a scheme (`java\tscript:`): refuse any control character outright.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : undefined;
}

// [label](url) | bare http(s)/mailto URL | @mention
const INLINE = /\[([^\]\n]{1,500})\]\(([^)\s]{1,2000})\)|((?:https?:\/\/|mailto:)[^\s<>"']+)|(^|[^A-Za-z0-9_.])@([A-Za-z0-9_][A-Za-z0-9_.:@-]*)/g;

/** A bare URL ends before trailing punctuation, and before a `)` it did not open. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last && '.,;:!?\'"'.includes(last)) end--;
    else if (last === ')' && (url.slice(0, end).match(/\(/g)?.length ?? 0) < (url.slice(0, end).match(/\)/g)?.length ?? 0)) end--;
    else break;
  }
  return url.slice(0, end);
}

function pushText(out: TextToken[], text: string): void {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (i > 0) out.push({ type: 'break' });
    if (!line) return;
    const last = out[out.length - 1];
    if (last?.type === 'text') last.text += line;
    else out.push({ type: 'text', text: line });
  });
}

function inline(text: string, isMention: (id: string) => boolean, out: TextToken[]): void {
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    const [whole, label, target, bare, lead, mention] = match;
    let start = match.index;
    let token: TextToken | undefined;
    let consumed = whole.length;
    if (label !== undefined && target !== undefined) {
      const href = safeHref(target);
      if (href) token = { type: 'link', href, text: label };
    } else if (bare !== undefined) {
      const url = trimUrl(bare);
      const href = safeHref(url);
      consumed = url.length;
      if (href) token = { type: 'link', href, text: url };
    } else if (mention !== undefined) {
      const id = mention.replace(/[.:-]+$/, '');
      start += (lead ?? '').length;
      consumed = id.length + 1;
      if (isMention(id)) token = { type: 'mention', userId: id, text: `@${id}` };
    }
    if (!token) continue;
    pushText(out, text.slice(at, start));
    out.push(token);
    at = start + consumed;
  }
  pushText(out, text.slice(at));
}

/**
 * Splits message text into tokens: ```code blocks```, `inline code`, links
 * (`[label](url)` and bare URLs, http/https/mailto only), `@mentions` and
 * line breaks. Everything else is text, shown as typed, HTML included.
 * `mentioned`: the ids a message mentions (only those become mentions); all
 * `@words` when omitted.
 */
export function tokenize(text: string, mentioned?: readonly string[]): TextToken[] {
  const isMention = mentioned ? (id: string) => mentioned.includes(id) : () => true;
  const out: TextToken[] = [];
  const blocks = text.split(/```/);
  blocks.forEach((part, i) => {
    // Odd parts sit between fences; an unclosed fence is text.
    if (i % 2 === 1 && i < blocks.length - 1) {
      out.push({ type: 'codeBlock', text: part.replace(/^\n/, '').replace(/\n$/, '') });
      return;
    }
    const chunk = i % 2 === 1 ? `\`\`\`${part}` : part;
    const spans = chunk.split(/`([^`\n]+)`/);
    spans.forEach((span, j) => {
      if (j % 2 === 1) out.push({ type: 'code', text: span });
      else inline(span, isMention, out);
    });
  });
  return out;
}
