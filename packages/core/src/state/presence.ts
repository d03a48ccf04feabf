import type { UserEvent, UserPresence } from '@chatsdk/protocol';
import { Store } from '../store.js';

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
