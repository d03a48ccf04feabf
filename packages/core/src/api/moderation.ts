import type {
  AuditPage,
  Ban,
  BanBody,
  BanResponse,
  BansPage,
  DeleteUserMessagesResponse,
  Flag,
  FlagsPage,
  ListAuditQuery,
  ListBansQuery,
  ListFlagsQuery,
  ReviewFlagBody,
  ReviewFlagResponse,
} from '@chatsdk/protocol';
import { type RequestManager, seg } from '../http/requests.js';
import { FlagQueueStore } from '../state/flag-queue.js';
import { BlocklistsApi } from './blocklists.js';

/** What a review is given beside its action. */
export type ReviewOptions = Omit<ReviewFlagBody, 'action'>;

/**
 * `client.moderation`: what app moderators and admins do (channel moderators
 * may ban from their channels): bans, the review queue, blocklists, bulk
 * deletes and the audit log. Reporting is everyone's:
 * `channel.moderation.flagMessage`, `client.users.flag`.
 */
export class ModerationApi {
  /** The app's blocklists. */
  readonly blocklists: BlocklistsApi;
  /** The pending review queue, live from `moderation.flagged` events once loaded (`queue.reload()`). */
  readonly queue: FlagQueueStore;

  constructor(private readonly requests: RequestManager) {
    this.blocklists = new BlocklistsApi(requests);
    this.queue = new FlagQueueStore((cursor) => this.flags({ status: 'pending', ...(cursor ? { cursor } : {}) }));
  }

  /** Bans a user from the app, or from `channelId`; `shadow` hides their sends from everyone else; `timeoutMinutes` ends it by itself. */
  async ban(body: BanBody): Promise<Ban> {
    return (await this.requests.request<BanResponse>('/api/moderation/bans', { body })).ban;
  }

  /** Lifts a user's app ban, or their ban from `channelId`; answers the ban lifted (404 `ban_not_found` without one). */
  async unban(userId: string, options: { channelId?: string } = {}): Promise<Ban> {
    return (await this.requests.request<BanResponse>(`/api/moderation/bans/${seg(userId)}`, { method: 'DELETE', query: { ...options } })).ban;
  }

  /** Bans in force, newest first (one channel's with `channelId`); pass `next` back as `cursor`. */
  bans(query: ListBansQuery = {}): Promise<BansPage> {
    return this.requests.request<BansPage>('/api/moderation/bans', { query: { ...query } });
  }

  /** A page of the review queue: `pending` (default, oldest first) or `reviewed` (newest first). */
  flags(query: ListFlagsQuery = {}): Promise<FlagsPage> {
    return this.requests.request<FlagsPage>('/api/moderation/flags', { query: { ...query } });
  }

  /** Reviews a flag: `dismiss`, `delete_message` (`hard`?), `ban_user` or `shadow_ban_user` (`timeoutMinutes`?, `channelOnly`?); it leaves `queue`. */
  async review(flagId: string, action: ReviewFlagBody['action'], options: ReviewOptions = {}): Promise<Flag> {
    const { flag } = await this.requests.request<ReviewFlagResponse>(`/api/moderation/flags/${seg(flagId)}/review`, { body: { action, ...options } });
    this.queue.remove(flagId);
    return flag;
  }

  /** Deletes every message of a user, in one channel or the whole app (soft, or `hard`); answers how many went. */
  async deleteUserMessages(userId: string, options: { channelId?: string; hard?: boolean } = {}): Promise<number> {
    const answer = await this.requests.request<DeleteUserMessagesResponse>(`/api/moderation/users/${seg(userId)}/delete-messages`, { body: options });
    return answer.deleted;
  }

  /** The audit log, newest first: every moderation action (filter by `action` or `targetId`). */
  audit(query: ListAuditQuery = {}): Promise<AuditPage> {
    return this.requests.request<AuditPage>('/api/moderation/audit', { query: { ...query } });
  }

}
