import type { ReactNode } from 'react';
import { useChannelView } from './channel-context.js';
import { MemberList } from './MemberList.js';
import { PinnedMessages } from './PinnedMessages.js';

/** The side panel the header's buttons open: members or pinned messages; nothing when closed. */
export function ChannelPanel(): ReactNode {
  const panel = useChannelView((state) => state.panel);
  if (panel === 'members') return <MemberList />;
  if (panel === 'pinned') return <PinnedMessages />;
  return null;
}
