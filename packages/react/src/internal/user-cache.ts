import { type ChatClient, Store } from '@chatsdk/core';
import type { User } from '@chatsdk/protocol';

/** Most ids one `GET /api/users?ids=` asks for. */
const BATCH = 100;

/**
 * Profiles (names, images) of the users a screen shows. Messages and members
 * carry only user ids, so the components ask here; asks made in one task are
 * loaded with one request.
 */
export class UserCache extends Store<Readonly<Record<string, User>>> {
  private readonly asked = new Set<string>();
  private pending = new Set<string>();
  private scheduled = false;

  constructor(private readonly client: ChatClient) {
    super({});
  }

  /** Makes sure the user `id` gets loaded (once). */
  want(id: string): void {
    if (this.asked.has(id)) return;
    this.asked.add(id);
    this.pending.add(id);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Takes users known from elsewhere (a search answer, say). */
  put(users: readonly User[]): void {
    if (users.length === 0) return;
    this.update((all) => ({ ...all, ...Object.fromEntries(users.map((user) => [user.id, user])) }));
  }

  private flush(): void {
    this.scheduled = false;
    const ids = [...this.pending];
    this.pending = new Set();
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      this.client.users.query({ ids: batch.join(','), limit: batch.length }).then(
        (page) => this.put(page.users),
        () => {
          for (const id of batch) this.asked.delete(id);
        },
      );
    }
  }
}

const caches = new WeakMap<ChatClient, UserCache>();

/** The client's user cache. */
export function userCache(client: ChatClient): UserCache {
  let cache = caches.get(client);
  if (!cache) {
    cache = new UserCache(client);
    caches.set(client, cache);
  }
  return cache;
}
