import type { Attachment } from '@chatsdk/protocol';
import { type OutboundGuard, redactUrl } from '../../outbound/index.js';
import type { DomainContext } from '../context.js';
import { attachPreviews, type PreviewTarget } from './attach-previews.js';
import { fetchPreview } from './fetch-preview.js';
import { findLinks } from './links.js';
import type { LinkPreview } from './page-preview.js';
import { pruneCache, readCached, writeCached } from './preview-cache.js';

/** Where the previewer reports; pino's (and so Fastify's `request.log`) fits. */
export interface PreviewLog {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Bounds of the previewer's work. */
export interface LinkPreviewerOptions {
  guard: OutboundGuard;
  /** Messages previewed at once (each fetches up to 3 links side by side). Default 4. */
  concurrency?: number;
  /** Messages waiting past those; more are dropped (no preview) rather than held in memory. Default 500. */
  maxQueued?: number;
}

/** Makes link previews for committed messages, in the background of the process that committed them. */
export interface LinkPreviewer {
  /**
   * Queues previews for a message just committed, if its text has links
   * that its attachments do not already preview; returns at once (the work
   * starts after the current turn, so never before the send is answered)
   * and never throws. True when a job was queued.
   */
  schedule(target: PreviewTarget, message: { text: string; attachments: Attachment[] }, log: PreviewLog): boolean;
  /** Resolves when nothing is queued or running (tests wait on it). */
  idle(): Promise<void>;
  /** Drops what is queued, aborts fetches in flight and waits for running jobs: call before closing the store. */
  close(): Promise<void>;
}

interface Job {
  target: PreviewTarget;
  keys: string[];
  log: PreviewLog;
}

/** Expired cache rows are pruned at most this often, by a process that has just written one. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Builds the previewer: a small queue with bounded concurrency, one fetch per URL however many messages hold it. */
export function createLinkPreviewer(ctx: DomainContext, options: LinkPreviewerOptions): LinkPreviewer {
  const concurrency = options.concurrency ?? 4;
  const maxQueued = options.maxQueued ?? 500;
  const queue: Job[] = [];
  const running = new Set<Promise<void>>();
  // A URL being fetched for one message is awaited by the others that hold it.
  const inFlight = new Map<string, Promise<LinkPreview | null>>();
  const shutdown = new AbortController();
  let idleWaiters: Array<() => void> = [];
  let lastPrune = 0;
  let closed = false;

  async function previewOf(key: string, log: PreviewLog): Promise<LinkPreview | null> {
    const cached = await readCached(ctx.store.db, key);
    if (cached) return cached.preview;
    const fetched = await fetchPreview(options.guard, key, shutdown.signal);
    if (fetched.failure) log.debug({ url: redactUrl(key), failure: fetched.failure }, 'link preview: no preview');
    if (fetched.ttlMs > 0) await writeCached(ctx.store.db, key, fetched.preview, fetched.ttlMs);
    const now = Date.now();
    if (now - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = now;
      pruneCache(ctx.store.db, now).catch((error: unknown) => log.warn({ err: error }, 'link preview: pruning the cache failed'));
    }
    return fetched.preview;
  }

  function shared(key: string, log: PreviewLog): Promise<LinkPreview | null> {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = previewOf(key, log).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  async function run(job: Job): Promise<void> {
    try {
      const results = await Promise.all(job.keys.map(async (key) => [key, await shared(key, job.log)] as const));
      const previews = new Map<string, LinkPreview>();
      for (const [key, preview] of results) if (preview) previews.set(key, preview);
      await attachPreviews(ctx, job.target, previews);
    } catch (error) {
      // A fault (the store, a bug), never the page's doing: the message stands as sent.
      job.log.warn({ err: error, messageId: job.target.messageId }, 'link preview failed');
    }
  }

  function pump(): void {
    while (running.size < concurrency && queue.length > 0) {
      const job = queue.shift();
      if (!job) break;
      const task: Promise<void> = run(job).finally(() => {
        running.delete(task);
        pump();
      });
      running.add(task);
    }
    if (running.size === 0 && queue.length === 0) {
      for (const wake of idleWaiters.splice(0)) wake();
    }
  }

  return {
    schedule(target, message, log) {
      if (closed) return false;
      const previewed = new Set(message.attachments.filter((a) => a.type === 'link').map((a) => a.url));
      const keys = findLinks(message.text)
        .filter((link) => !previewed.has(link.url))
        .map((link) => link.key);
      if (keys.length === 0) return false;
      if (queue.length >= maxQueued) {
        log.debug({ messageId: target.messageId }, 'link preview queue full: message left without previews');
        return false;
      }
      queue.push({ target, keys, log });
      // After this turn: the send's answer goes out first.
      setImmediate(pump);
      return true;
    },
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      queue.length = 0;
      shutdown.abort();
      await Promise.all([...running]);
      for (const wake of idleWaiters.splice(0)) wake();
      idleWaiters = [];
    },
  };
}
