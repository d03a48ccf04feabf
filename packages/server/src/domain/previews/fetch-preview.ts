import { type OutboundFailure, OutboundError, type OutboundGuard, type OutboundRequest } from '../../outbound/index.js';
import { type LinkPreview, previewFromPage } from './page-preview.js';
import { PREVIEW_TTL_MS, RETRY_TTL_MS } from './preview-cache.js';

/** What fetching a page gave, and how long that answer may be reused. */
export interface FetchedPreview {
  preview: LinkPreview | null;
  /** 0: do not cache (the fetch was cut short by a shutdown). */
  ttlMs: number;
  /** Why there is no preview, for the log: an outbound failure reason or `status_404` and the like. */
  failure?: OutboundFailure | `status_${number}`;
}

/**
 * HTML only, truncated rather than refused past the size cap: the head is
 * at the start, and a long page still has one.
 */
const PAGE_REQUEST: OutboundRequest = {
  accept: 'text/html,application/xhtml+xml;q=0.9',
  contentTypes: ['text/html', 'application/xhtml+xml'],
  overflow: 'truncate',
};

/** Failures that may be gone in an hour; the others (a refused address, a PDF, a redirect loop) are kept for the day. */
const PASSING: ReadonlySet<OutboundFailure> = new Set(['timeout', 'network', 'dns']);

/** Fetches a page through the guard and reads its preview. Every outbound failure is an answer without a preview; only a fault throws. */
export async function fetchPreview(guard: OutboundGuard, url: string, signal: AbortSignal): Promise<FetchedPreview> {
  try {
    const page = await guard.fetch(url, { ...PAGE_REQUEST, signal });
    if (page.status < 200 || page.status >= 300) {
      const passing = page.status >= 500 || page.status === 429;
      return { preview: null, ttlMs: passing ? RETRY_TTL_MS : PREVIEW_TTL_MS, failure: `status_${page.status}` };
    }
    return { preview: previewFromPage(page.body, page.headers['content-type'], page.url) ?? null, ttlMs: PREVIEW_TTL_MS };
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    const { reason } = error;
    if (reason === 'aborted') return { preview: null, ttlMs: 0, failure: reason };
    return { preview: null, ttlMs: PASSING.has(reason) ? RETRY_TTL_MS : PREVIEW_TTL_MS, failure: reason };
  }
}
