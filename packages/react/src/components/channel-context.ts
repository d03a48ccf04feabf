import { type ChatChannel, Store } from '@chatsdk/core';
import type { Attachment } from '@chatsdk/protocol';
import { createContext, useContext } from 'react';
import { useStoreSelector } from '../hooks/use-store.js';

/** Which side panel a channel shows. */
export type ChannelPanel = 'members' | 'pinned' | null;

/** The open channel's view state shared by its components (which thread is open, which message is being edited). */
export interface ChannelViewState {
  /** The parent of the open thread. */
  threadId: string | null;
  /** The message the composer edits, and the thread it is in. */
  editing: { id: string; parentId: string | null } | null;
  /** The side panel shown. */
  panel: ChannelPanel;
  /** The image the lightbox shows: a message's attachment, by position. */
  lightbox: LightboxTarget | null;
}

/** An image attachment the lightbox shows: the message (and its thread), its attachments when opened, and the attachment's index. */
export interface LightboxTarget {
  messageId: string;
  parentId: string | null;
  /** As they were when opened: shown if the message is in none of the channel's windows (a list given its own `messages`). */
  attachments: readonly Attachment[];
  index: number;
}

/** What `<Channel>` gives its tree: the channel and a small store of view state (a store, so a change re-renders only its readers). */
export interface ChannelContextValue {
  channel: ChatChannel;
  view: Store<ChannelViewState>;
}

/** The view state a `<Channel>` starts with. */
export function initialView(): ChannelViewState {
  return { threadId: null, editing: null, panel: null, lightbox: null };
}

/** Context of the nearest `<Channel>`. */
export const ChannelContext = createContext<ChannelContextValue | null>(null);

/** The nearest `<Channel>`'s channel and view store; throws outside one. */
export function useChannelContext(): ChannelContextValue {
  const value = useContext(ChannelContext);
  if (!value) throw new Error('this component must be inside a <Channel>');
  return value;
}

/** A slice of the channel's view state. */
export function useChannelView<S>(select: (state: ChannelViewState) => S): S {
  return useStoreSelector(useChannelContext().view, select);
}

/** A store of view state, for `<Channel>` (exported for custom channel shells). */
export function createChannelView(): Store<ChannelViewState> {
  return new Store(initialView());
}
