import type { ChannelType } from '@chatsdk/protocol';

/** What a channel type allows. Behaviour follows these values; no code path tests a type's name. */
export interface ChannelTypeConfig {
  /** `members`: only members see the channel; `app`: any user of the app may read it without joining. */
  readableBy: 'members' | 'app';
  /** `invite`: members are added by a moderator or above; `open`: any user of the app may join themselves. */
  joinPolicy: 'invite' | 'open';
  /** Listed to every user of the app (`GET /api/channels?joined=false`), members or not. */
  listed: boolean;
  /** Typing events are published. */
  typingEvents: boolean;
  /** Read receipts are published and listed. */
  readEvents: boolean;
}

/** The built-in types. */
export const CHANNEL_TYPES: Record<ChannelType, ChannelTypeConfig> = {
  messaging: { readableBy: 'members', joinPolicy: 'invite', listed: false, typingEvents: true, readEvents: true },
  team: { readableBy: 'members', joinPolicy: 'invite', listed: true, typingEvents: true, readEvents: true },
  public: { readableBy: 'app', joinPolicy: 'open', listed: true, typingEvents: true, readEvents: true },
  livestream: { readableBy: 'app', joinPolicy: 'open', listed: true, typingEvents: false, readEvents: false },
};

/** The config of a stored type name. */
export function channelTypeConfig(type: string): ChannelTypeConfig {
  const config = CHANNEL_TYPES[type as ChannelType];
  if (!config) throw new Error(`unknown channel type in the store: ${type}`);
  return config;
}
