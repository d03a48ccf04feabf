import type { ChannelRole } from '@chatsdk/protocol';

const RANK: Record<ChannelRole, number> = { member: 1, moderator: 2, admin: 3, owner: 4 };

/** The authority a caller holds over one channel, as a channel role's rank. */
export type Authority = number;

/** The server (API key) and app admins outrank every channel role. */
export const SUPREME: Authority = 100;

/** Rank of a channel role. */
export function rankOf(role: ChannelRole): number {
  return RANK[role] ?? 0;
}

/**
 * A user's authority in a channel: their channel role, raised by their
 * app-wide role (an app moderator moderates every channel, an app admin
 * administers every channel). 0 for a non-member with no app role.
 */
export function authorityOf(appRole: string, channelRole: ChannelRole | undefined): Authority {
  const fromApp = appRole === 'admin' ? SUPREME : appRole === 'moderator' ? RANK.moderator : 0;
  return Math.max(fromApp, channelRole ? rankOf(channelRole) : 0);
}
