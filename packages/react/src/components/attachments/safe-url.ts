import { safeHref } from '../../text/tokens.js';

/** The URL if it is http(s); undefined for anything else (`javascript:`, `data:`, relative, with control characters). */
export function httpUrl(url: string | undefined): string | undefined {
  const href = url ? safeHref(url) : undefined;
  return href && /^https?:/.test(href) ? href : undefined;
}

/**
 * A preview of a file this device is sending: `blob:` (an object URL the core
 * made of the user's own file) or http(s). Never `data:` or anything else.
 */
export function localPreviewUrl(url: string | undefined): string | undefined {
  return url && /^blob:https?:\/\/[^\s]+$/.test(url) ? url : httpUrl(url);
}
