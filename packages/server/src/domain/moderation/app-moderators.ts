import { ApiError } from '../../errors.js';
import type { Caller } from '../auth/caller.js';

/** Whether the caller moderates the whole app: its server (API key), or a user whose app role is moderator or admin. */
export function isAppModerator(caller: Caller): boolean {
  return caller.kind === 'server' || caller.user.role === 'moderator' || caller.user.role === 'admin';
}

/** App-wide moderation (app bans, the review queue, blocklists, the audit log) is for the key and app moderators. */
export function requireAppModerator(caller: Caller): void {
  if (!isAppModerator(caller)) throw new ApiError('forbidden', 'this needs an app moderator or admin (or the API key)');
}
