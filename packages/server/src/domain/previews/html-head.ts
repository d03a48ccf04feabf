/**
 * A small, tolerant reader of an HTML page's `<head>`: its `<title>` and its
 * `<meta>` tags, which is all a link preview needs. No HTML library: a full
 * parser builds a tree of the whole page (up to 1 MiB here) to read a dozen
 * tags, and a regular expression over the whole tag grammar can be driven to
 * quadratic time by a hostile page. This scanner moves forward only, bounds
 * every tag it reads, and stops at `</head>` or `<body>`.
 */

/** What the head holds that a preview is made of. */
export interface PageHead {
  /** The `<title>` text, entities decoded, whitespace collapsed. */
  title: string | undefined;
  /** `<meta>` content by lowercased `property`, `name` or `itemprop` (`og:title`, `twitter:image`, `description`); the first that is not blank wins. */
  meta: Map<string, string>;
}

/** A tag longer than this is not a tag a preview needs: it is skipped as text. */
const MAX_TAG = 8192;

/** Elements whose content is text, not markup: a `<meta>` inside a script is not one. */
const RAW_TEXT = new Set(['script', 'style', 'template', 'textarea', 'xmp', 'title']);

const TAG_NAME = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]{0,31})/y;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', copy: '©', reg: '®', trade: '™',
  middot: '·', bull: '•', euro: '€', pound: '£', yen: '¥', cent: '¢', deg: '°', times: '×',
};

/** Decodes numeric references and the common named ones; an unknown name is left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // NUL, surrogates and values past Unicode become the replacement character, as browsers do.
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** Text as a preview shows it: entities decoded, every run of whitespace one space. */
export function cleanText(text: string): string {
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
}

/**
 * Where the tag that starts at `from` ends (after its `>`), honouring quotes;
 * -1 past `MAX_TAG` or at a `<` outside quotes (a broken tag: the scan goes on
 * from that `<`, so no stretch of text is read again and again).
 */
function tagEnd(html: string, from: number): number {
  let quote = '';
  const limit = Math.min(html.length, from + MAX_TAG);
  for (let i = from; i < limit; i++) {
    const c = html[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i + 1;
    } else if (c === '<') {
      return -1;
    }
  }
  return -1;
}

function attributes(inside: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, double, single, bare] of inside.matchAll(ATTRIBUTE)) {
    if (!name) continue;
    const key = name.toLowerCase();
    if (!found.has(key)) found.set(key, double ?? single ?? bare ?? '');
  }
  return found;
}

/** Where the raw-text element `name`'s content ends and its closing tag starts (or the end of the text). */
function closingTag(html: string, name: string, from: number): { contentEnd: number; after: number } {
  const close = new RegExp(`</${name}[\\s/>]`, 'gi');
  close.lastIndex = from;
  const match = close.exec(html);
  if (!match) return { contentEnd: html.length, after: html.length };
  const end = tagEnd(html, match.index + 2);
  return { contentEnd: match.index, after: end === -1 ? match.index + name.length + 2 : end };
}

/** Reads the title and meta tags of a page's head. Any text is accepted; what is not understood is skipped. */
export function readHead(html: string): PageHead {
  const meta = new Map<string, string>();
  let title: string | undefined;
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      at = close === -1 ? html.length : close + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const tag = TAG_NAME.exec(html);
    const end = tag ? tagEnd(html, TAG_NAME.lastIndex) : -1;
    if (!tag || end === -1) {
      // `<!DOCTYPE`, a stray `<`, a tag without its `>`: text.
      at = lt + 1;
      continue;
    }
    const closing = tag[1] === '/';
    const name = (tag[2] ?? '').toLowerCase();
    if (name === 'body' || (closing && name === 'head')) break;
    at = end;
    if (closing) continue;
    if (RAW_TEXT.has(name)) {
      const { contentEnd, after } = closingTag(html, name, end);
      if (name === 'title' && title === undefined) title = cleanText(html.slice(end, contentEnd));
      at = after;
    } else if (name === 'meta') {
      const attrs = attributes(html.slice(TAG_NAME.lastIndex, end - 1));
      const key = (attrs.get('property') ?? attrs.get('name') ?? attrs.get('itemprop'))?.trim().toLowerCase();
      const content = attrs.get('content');
      if (key && content !== undefined && content.trim() !== '' && !meta.has(key)) meta.set(key, content);
    }
  }
  return { title, meta };
}
