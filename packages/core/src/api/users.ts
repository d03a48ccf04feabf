import type { BlocksResponse, ListUsersQuery, PresenceResponse, UpdateMeBody, User, UserPresence, UserResponse, UsersPage } from '@chatsdk/protocol';
import type { RequestManager } from '../http/requests.js';
import { seg } from '../http/requests.js';
import { PresenceStore } from '../state/presence.js';

/** `client.users`: the user, other users, blocks and presence. */
export class UsersApi {
  /** Who is online, by user id. */
  readonly presence = new PresenceStore();

  constructor(private readonly requests: RequestManager) {}

  /** The calling user. */
  async me(): Promise<User> {
    return (await this.requests.request<UserResponse>('/api/users/me')).user;
  }

  /** Changes the user's own name or image. */
  async updateMe(body: UpdateMeBody): Promise<User> {
    return (await this.requests.request<UserResponse>('/api/users/me', { method: 'PATCH', body })).user;
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

  /** Loads these users' presence into `presence` (the personal stream keeps it current for users sharing a channel). */
  async loadPresence(ids: string[]): Promise<UserPresence[]> {
    if (ids.length === 0) return [];
    const { users } = await this.requests.request<PresenceResponse>('/api/users/presence', { query: { ids: ids.join(',') } });
    this.presence.load(users);
    return users;
  }
}
