import type { BlocksResponse, FlagBody, FlagResponse, ListUsersQuery, MutesResponse, PresenceResponse, UpdateMeBody, User, UserPresence, UserResponse, UsersPage } from '@chatsdk/protocol';
import type { RequestManager } from '../http/requests.js';
import { seg } from '../http/requests.js';
import { PresenceStore } from '../state/presence.js';
import { Store } from '../store.js';

/** `client.users`: the user, other users, blocks and presence. */
export class UsersApi {
  /** Who is online, by user id. */
  readonly presence = new PresenceStore();
  /** The calling user as last read (`me()`, `updateMe()`; `connect()` reads it): their app role decides what moderation they may do. */
  readonly current = new Store<User | null>(null);

  constructor(private readonly requests: RequestManager) {}

  /** The calling user. */
  async me(): Promise<User> {
    const { user } = await this.requests.request<UserResponse>('/api/users/me');
    this.current.set(user);
    return user;
  }

  /** Changes the user's own name or image. */
  async updateMe(body: UpdateMeBody): Promise<User> {
    const { user } = await this.requests.request<UserResponse>('/api/users/me', { method: 'PATCH', body });
    this.current.set(user);
    return user;
  }

  /** One user of the app. */
  async get(id: string): Promise<User> {
    return (await this.requests.request<UserResponse>(`/api/users/${seg(id)}`)).user;
  }

  /** Users by ids, name prefix (`q`) or custom fields, in pages. */
  query(query: ListUsersQuery = {}): Promise<UsersPage> {
    return this.requests.request<UsersPage>('/api/users', { query: { ...query } });
  }

  /** Blocks a user (their messages are refused in your direct conversation). */
  block(id: string): Promise<BlocksResponse> {
    return this.requests.request<BlocksResponse>(`/api/users/${seg(id)}/block`, { method: 'POST' });
  }

  /** Unblocks a user. */
  unblock(id: string): Promise<BlocksResponse> {
    return this.requests.request<BlocksResponse>(`/api/users/${seg(id)}/block`, { method: 'DELETE' });
  }

  /** The users the caller has blocked. */
  blocks(): Promise<BlocksResponse> {
    return this.requests.request<BlocksResponse>('/api/users/me/blocks');
  }

  /** Reports a user to the app's moderators (once per reporter: again answers `created: false`). */
  flag(id: string, body: FlagBody = {}): Promise<FlagResponse> {
    return this.requests.request<FlagResponse>(`/api/users/${seg(id)}/flag`, { body });
  }

  /** Mutes a user: their messages no longer count in your unread counts or push; answers your mutes. */
  mute(id: string): Promise<MutesResponse> {
    return this.requests.request<MutesResponse>(`/api/users/${seg(id)}/mute`, { method: 'POST' });
  }

  /** Unmutes a user; answers your mutes. */
  unmute(id: string): Promise<MutesResponse> {
    return this.requests.request<MutesResponse>(`/api/users/${seg(id)}/mute`, { method: 'DELETE' });
  }

  /** The users you muted, newest first. */
  mutes(): Promise<MutesResponse> {
    return this.requests.request<MutesResponse>('/api/users/me/mutes');
  }

  /** Loads these users' presence into `presence` (the personal stream keeps it current for users sharing a channel). */
  async loadPresence(ids: string[]): Promise<UserPresence[]> {
    if (ids.length === 0) return [];
    const { users } = await this.requests.request<PresenceResponse>('/api/users/presence', { query: { ids: ids.join(',') } });
    this.presence.load(users);
    return users;
  }
}
