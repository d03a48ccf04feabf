import type { Member, UserEvent, UserPresence } from '@chatsdk/protocol';
import { derived, type ReadableStore, Store } from '../store.js';

/** Who is online, by user id: loaded with `client.users.loadPresence(ids)`, kept current by `user.online` / `user.offline`. */
export class PresenceStore extends Store<Readonly<Record<string, UserPresence>>> {
  constructor() {
    super({});
  }

  /** Takes presence answered by the server. */
  load(users: readonly UserPresence[]): void {
    if (users.length === 0) return;
    this.update((state) => ({ ...state, ...Object.fromEntries(users.map((user) => [user.userId, user])) }));
  }

  /** Applies `user.online` / `user.offline`. */
  apply(event: UserEvent): void {
    if (event.type === 'user.online') this.load([{ userId: event.userId, online: true, lastActiveAt: event.createdAt }]);
    else if (event.type === 'user.offline') this.load([{ userId: event.userId, online: false, lastActiveAt: event.lastActiveAt }]);
  }
}

/** The presence of a channel's members, out of everyone's: the same snapshot while theirs does not change. */
export function membersPresence(members: ReadableStore<readonly Member[]>, everyone: ReadableStore<Readonly<Record<string, UserPresence>>>): ReadableStore<Readonly<Record<string, UserPresence>>> {
  let last: Record<string, UserPresence> = {};
  return derived([members, everyone], () => {
    const all = everyone.getSnapshot();
    const mine: Record<string, UserPresence> = {};
    for (const { userId } of members.getSnapshot()) {
      const presence = all[userId];
      if (presence) mine[userId] = presence;
    }
    // Someone else's presence changed: the same snapshot, so nothing re-renders.
    const same = Object.keys(mine).length === Object.keys(last).length && Object.entries(mine).every(([id, p]) => last[id] === p);
    if (!same) last = mine;
    return last;
  });
}
