import type { CreateTokenBody, CreateTokenResponse, RevokeTokensResponse, UpsertUser, User, UserResponse, UsersResponse } from '@chatsdk/protocol';
import { segment, type Transport } from '../http/transport.js';

/** Your users as ChatSDK knows them: tokens, upserts, deletes, revocations. */
export class UsersApi {
  constructor(private readonly http: Transport) {}

  /**
   * Upserts the user and issues their tokens (`POST /tokens`): hand `token`
   * and `wsToken` to your frontend. Retried like an idempotent call: the same
   * body twice leaves the same user, and the tokens of a lost answer are
   * simply never used.
   */
  createToken(body: CreateTokenBody): Promise<CreateTokenResponse> {
    return this.http.request({ method: 'POST', path: '/tokens', body, idempotent: true });
  }

  /** Creates or updates up to 100 users at once (`POST /api/users`); omitted fields keep their values. Retried: an upsert. */
  async upsert(users: UpsertUser[]): Promise<User[]> {
    const answer = await this.http.request<UsersResponse>({ method: 'POST', path: '/api/users', body: { users }, idempotent: true });
    return answer.users;
  }

  /** One user, by id. */
  async get(userId: string): Promise<User> {
    const answer = await this.http.request<UserResponse>({ method: 'GET', path: `/api/users/${segment(userId)}` });
    return answer.user;
  }

  /**
   * Deletes a user: soft by default (upserting them again restores them),
   * `{ hard: true }` erases the row. Their tokens stop working at once.
   */
  async delete(userId: string, options: { hard?: boolean } = {}): Promise<void> {
    await this.http.request<undefined>({ method: 'DELETE', path: `/api/users/${segment(userId)}`, query: { hard: options.hard } });
  }

  /**
   * Refuses every token of this user issued before now (sign-out everywhere,
   * a ban). Retried: a second revocation a moment later asks the same thing.
   */
  revokeTokens(userId: string): Promise<RevokeTokensResponse> {
    return this.http.request({ method: 'POST', path: `/api/users/${segment(userId)}/revoke-tokens`, idempotent: true });
  }
}
