import type { LocalMessage, MessageWindow } from '@chatsdk/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type ComponentType, type ReactNode, useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import { useChatClient } from '../hooks/use-chat-client.js';
import { useStore, useStoreSelector } from '../hooks/use-store.js';
import { formatDay, sameDay } from '../internal/format.js';
import { useChannelContext } from './channel-context.js';
import { Message as DefaultMessage, type MessageProps } from './Message.js';
import { MessageRow } from './MessageRow.js';

/** Props of `<MessageList>`. */
export interface MessageListProps {
  /** Lists this thread's replies instead of the channel's messages. */
  parentId?: string;
  /** Lists this window of messages instead (search results, a preloaded history); default the channel's or the thread's. */
  messages?: MessageWindow;
  /** Replaces the message component (it gets `MessageProps`). */
  Message?: ComponentType<MessageProps>;
  /** A row's height before it is measured, in pixels; default 56. */
  estimateSize?: number;
  /** Rows rendered beyond each edge of the viewport; default 4. */
  overscan?: number;
  /** Shown when the channel has no message. */
  empty?: ReactNode;
}

/** Consecutive messages of one author within this long share one header. */
const GROUP_MS = 5 * 60_000;
/** Older pages load when the reader is this close to the top, in pixels. */
const LOAD_OLDER_PX = 400;

function startsGroup(message: LocalMessage, previous: LocalMessage | undefined, newDay: boolean, unread: boolean): boolean {
  if (!previous || newDay || unread || previous.userId !== message.userId || previous.deletedAt) return true;
  return Date.parse(message.createdAt) - Date.parse(previous.createdAt) > GROUP_MS;
}

/**
 * The channel's (or a thread's) messages, virtualised: only the rows in
 * view are in the DOM. Opens at the newest message, follows new ones while
 * the reader is at the bottom, loads older pages when scrolled near the top
 * and keeps the reader's place when they arrive. Date and "new messages"
 * separators; consecutive messages of one author grouped under one header.
 */
export function MessageList({ parentId, messages: given, Message = DefaultMessage, estimateSize = 56, overscan = 4, empty = null }: MessageListProps): ReactNode {
  const { channel } = useChannelContext();
  const me = useChatClient().userId;
  const window = given ?? (parentId ? channel.thread(parentId) : channel.messages);
  const { messages, hasOlder, loading, ready } = useStore(window);
  const scroller = useRef<HTMLDivElement>(null);
  const opened = useRef(false);
  // Unread at opening: the separator stays where it was while the list is open.
  const boundary = useRef<{ read: number; newest: number } | null>(null);
  if (!boundary.current && ready && !parentId) {
    const newest = messages.reduce((max, m) => Math.max(max, m.seq), 0);
    boundary.current = { read: channel.state.getSnapshot()?.membership?.lastReadSeq ?? newest, newest };
  }

  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => estimateSize,
    getItemKey: (index) => messages[index]?.id ?? index,
    overscan,
    anchorTo: 'end',
    followOnAppend: true,
    directDomUpdates: true,
  });

  useEffect(() => {
    if ((parentId || given) && !ready && !loading) window.reload().catch(() => undefined);
  }, [window, parentId, ready, loading]);

  // Open at the newest message.
  useLayoutEffect(() => {
    if (opened.current || !ready || messages.length === 0) return;
    opened.current = true;
    virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [ready, messages.length, virtualizer]);

  const loadOlderIfNear = useCallback(() => {
    const el = scroller.current;
    const state = window.getSnapshot();
    if (!el || !opened.current || !state.hasOlder || state.loading) return;
    if (el.scrollTop < LOAD_OLDER_PX || el.scrollHeight <= el.clientHeight) window.loadOlder().catch(() => undefined);
  }, [window]);
  useEffect(loadOlderIfNear, [loadOlderIfNear, hasOlder, loading, messages.length]);

  // At the bottom with unread messages: mark them read (checked when they change and when the reader scrolls).
  const marking = useRef(false);
  const markReadIfAtEnd = useCallback(() => {
    const el = scroller.current;
    const unread = channel.state.getSnapshot()?.membership?.unreadCount ?? 0;
    if (parentId || given || !el || unread === 0 || marking.current || document.visibilityState === 'hidden') return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight > 48) return;
    marking.current = true;
    channel
      .markRead()
      .catch(() => undefined)
      .finally(() => {
        marking.current = false;
      });
  }, [channel, parentId, given]);
  const unreadCount = useStoreSelector(channel.state, (state) => state?.membership?.unreadCount ?? 0);
  const lastId = messages[messages.length - 1]?.id;
  useEffect(markReadIfAtEnd, [markReadIfAtEnd, unreadCount, lastId]);
  // A reader at the bottom stays there when the list gets shorter (the composer grows: more lines, a moderation notice).
  const atEnd = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atEnd.current) el.scrollTop = el.scrollHeight - el.clientHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el) atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
    loadOlderIfNear();
    markReadIfAtEnd();
  }, [loadOlderIfNear, markReadIfAtEnd]);

  const items = virtualizer.getVirtualItems();
  // The loading and empty notes sit outside the scroller: content above the rows would shift them from where the virtualiser puts them.
  return (
    <div className="chat-message-list-frame">
      {hasOlder && loading ? (
        <div className="chat-loading chat-loading-older" role="status">
          Loading older messages…
        </div>
      ) : null}
      {ready && messages.length === 0 ? <div className="chat-empty">{empty}</div> : null}
      <div ref={scroller} className="chat-message-list" role="log" tabIndex={0} aria-label={parentId ? 'Replies' : 'Messages'} data-chat-scroller="" onScroll={onScroll}>
        <div ref={virtualizer.containerRef} role="list" className="chat-message-rows" style={{ position: 'relative', width: '100%' }}>
          {items.map((item) => {
            const message = messages[item.index] as LocalMessage;
            const previous = messages[item.index - 1];
            const newDay = !previous || !sameDay(previous.createdAt, message.createdAt);
            const b = boundary.current;
            const unread = !!b && message.seq > b.read && message.seq <= b.newest && message.userId !== me && (!previous || previous.seq <= b.read);
            return (
              <MessageRow
                key={item.key}
                message={message}
                index={item.index}
                showHeader={startsGroup(message, previous, newDay, unread)}
                day={newDay ? formatDay(message.createdAt) : null}
                unread={unread}
                inThread={parentId !== undefined}
                measure={virtualizer.measureElement}
                Message={Message}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
