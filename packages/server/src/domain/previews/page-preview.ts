import { TextDecoder } from 'node:util';
import { LIMITS } from '@chatsdk/protocol';
import { cleanText, readHead } from './html-head.js';

/** What a page shows of itself: the fields of a `link` attachment besides its type and url. */
export interface LinkPreview {
  title?: string;
  description?: string;
  image?: string;
  siteName?: string;
}

/** The head is in the first bytes of a page; decoding past them is wasted work. */
const HEAD_BYTES = 512 * 1024;

/** The charset a `Content-Type` header or an early `<meta charset>` names; UTF-8 when none does (or the name is unknown). */
function decoderFor(body: Buffer, contentType: string | undefined): TextDecoder {
  const fromHeader = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  // The HTML standard's prescan looks at the first 1024 bytes; latin1 keeps them byte for byte.
  const early = body.subarray(0, 1024).toString('latin1');
  const fromMeta = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)/i.exec(early)?.[1];
  for (const label of [fromHeader, fromMeta]) {
    if (!label) continue;
    try {
      return new TextDecoder(label);
    } catch {
      // An unknown label: try the next, then UTF-8.
    }
  }
  return new TextDecoder('utf-8');
}

/** Cuts text to `max` characters (code points, as the schema counts them), marking the cut with an ellipsis. */
function cut(text: string | undefined, max: number): string | undefined {
  if (!text) return undefined;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** An image URL resolved against the page, kept only if clients may load it (http(s), within the URL limit). */
function imageUrl(raw: string | undefined, pageUrl: string): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw.trim(), pageUrl);
    // A parsed http(s) href has a host and no whitespace: what the schema's HttpUrl asks, but for its length.
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
    return url.href.length <= LIMITS.imageUrlLength ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The preview of an HTML page: Open Graph first, then Twitter cards, then
 * the page's `<title>` and `<meta name="description">`. `pageUrl` (where the
 * page was fetched from, after redirects) resolves a relative image. Nothing
 * to show (no title, description or image) is undefined.
 */
export function previewFromPage(body: Buffer, contentType: string | undefined, pageUrl: string): LinkPreview | undefined {
  const html = decoderFor(body, contentType).decode(body.subarray(0, HEAD_BYTES));
  const { title, meta } = readHead(html);
  const first = (...keys: string[]) => {
    for (const key of keys) {
      const value = meta.get(key);
      const text = value === undefined ? '' : cleanText(value);
      if (text) return text;
    }
    return undefined;
  };
  const preview: LinkPreview = {};
  const fields = {
    title: cut(first('og:title', 'twitter:title') ?? (title || undefined), LIMITS.linkTitleLength),
    description: cut(first('og:description', 'twitter:description', 'description'), LIMITS.linkDescriptionLength),
    image: imageUrl(first('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src'), pageUrl),
    siteName: cut(first('og:site_name', 'application-name'), LIMITS.linkSiteNameLength),
  };
  for (const [key, value] of Object.entries(fields) as Array<[keyof LinkPreview, string | undefined]>) if (value) preview[key] = value;
  return preview.title || preview.description || preview.image ? preview : undefined;
}
