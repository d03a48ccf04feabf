import { type ChatChannel, linkExpiresAt } from '@chatsdk/core';
import type { Attachment } from '@chatsdk/protocol';
import { useEffect } from 'react';

/** Links are renewed this long before they expire, so none is followed in its last moments. */
const EARLY_MS = 60_000;

/**
 * Keeps a message's file links fresh while it shows: their signatures expire
 * (the `exp` of the URL), so the message is read again just before the
 * earliest does, or at once if one already has. The core shares and spaces
 * the requests.
 */
export function useFreshLinks(channel: ChatChannel | undefined, messageId: string | undefined, attachments: readonly Attachment[]): void {
  let expiry: number | undefined;
  for (const attachment of attachments) {
    for (const url of [attachment.url, attachment.thumbUrl]) {
      const at = url ? linkExpiresAt(url) : undefined;
      if (at !== undefined && (expiry === undefined || at < expiry)) expiry = at;
    }
  }
  useEffect(() => {
    if (!channel || !messageId || expiry === undefined) return;
    // setTimeout holds at most 2^31 - 1 ms (about 24.8 days).
    const wait = Math.min(2 ** 31 - 1, Math.max(0, expiry - EARLY_MS - Date.now()));
    const timer = setTimeout(() => void channel.refreshMessage(messageId).catch(() => undefined), wait);
    return () => clearTimeout(timer);
  }, [channel, messageId, expiry]);
}
