import type { ChatChannel } from '@chatsdk/core';
import type { ChannelState } from '@chatsdk/protocol';
import { useEffect } from 'react';
import { createLease, type Lease, leaseFor } from '../provider/lease.js';
import { useChatClient } from './use-chat-client.js';
import { useStore } from './use-store.js';

const watches = new WeakMap<ChatChannel, Lease>();

/** The channel's shared watch: watched while at least one component holds it. */
function watchLease(channel: ChatChannel, onError: (error: unknown) => void): Lease {
  return leaseFor(watches, channel, () =>
    createLease(
      () => void channel.watch().catch(onError),
      () => channel.unwatch(),
    ),
  );
}

/**
 * The channel `id` (null for none), watched while the component is mounted:
 * loaded, live, and unwatched a moment after the last user leaves.
 */
export function useChannel(id: string | null | undefined, options: { watch?: boolean } = {}): ChatChannel | null {
  const client = useChatClient();
  const channel = id ? client.channel(id) : null;
  const watch = options.watch ?? true;
  useEffect(() => {
    if (!channel || !watch) return;
    return watchLease(channel, (error) => console.warn(`useChannel: watching ${channel.id} failed`, error)).acquire();
  }, [channel, watch]);
  return channel;
}

/** The channel's state (the channel, its last message, the user's membership); null until loaded. */
export function useChannelState(channel: ChatChannel): ChannelState | null {
  return useStore(channel.state);
}
