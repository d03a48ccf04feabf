import type {
  AddMembersBody,
  ChannelState,
  CreateChannelBody,
  Member,
  MembersResponse,
  Message,
  MessageResponse,
  SendMessageBody,
  UpdateChannelBody,
} from '@chatsdk/protocol';
import { segment, type Transport } from '../http/transport.js';

/** Channel administration from your backend: the API key acts above every role. */
export class ChannelsApi {
  constructor(private readonly http: Transport) {}

  /**
   * Creates a channel (`createdBy` names its owner). With an `id`, or with
   * `distinct: true` and `members`, the existing channel is answered instead
   * of a second one, so those calls are retried; one without either is not.
   */
  create(body: CreateChannelBody): Promise<ChannelState> {
    const idempotent = body.id !== undefined || (body.distinct === true && body.members !== undefined);
    return this.http.request({ method: 'POST', path: '/api/channels', body, idempotent });
  }

  /** A channel with its last message. */
  get(channelId: string): Promise<ChannelState> {
    return this.http.request({ method: 'GET', path: `/api/channels/${segment(channelId)}` });
  }

  /** Changes name, image or custom data (`null` clears name and image). */
  update(channelId: string, body: UpdateChannelBody): Promise<ChannelState> {
    return this.http.request({ method: 'PATCH', path: `/api/channels/${segment(channelId)}`, body });
  }

  /** Deletes a channel and its messages. */
  async delete(channelId: string): Promise<void> {
    await this.http.request<undefined>({ method: 'DELETE', path: `/api/channels/${segment(channelId)}` });
  }

  /**
   * Adds members (with `role`, `member` by default) and answers the ones that
   * were new: users who already are members are left as they are, so the
   * call is retried, and a retry after a lost answer may answer fewer.
   */
  async addMembers(channelId: string, userIds: string[], options: Omit<AddMembersBody, 'userIds'> = {}): Promise<Member[]> {
    const body: AddMembersBody = { userIds, ...options };
    const answer = await this.http.request<MembersResponse>({ method: 'POST', path: `/api/channels/${segment(channelId)}/members`, body, idempotent: true });
    return answer.members;
  }

  /**
   * Removes members, one request each, in order: it stops at the first
   * failure, and the ones before it stay removed.
   */
  async removeMembers(channelId: string, userIds: string[]): Promise<void> {
    for (const userId of userIds) {
      await this.http.request<undefined>({ method: 'DELETE', path: `/api/channels/${segment(channelId)}/members/${segment(userId)}` });
    }
  }

  /**
   * Sends a message as `userId` (or, without one, as the system). With your
   * own `id` the send is idempotent (a repeat answers the first message) and
   * so is retried; without one it is sent once.
   */
  async sendMessage(channelId: string, body: SendMessageBody): Promise<Message> {
    const answer = await this.http.request<MessageResponse>({
      method: 'POST',
      path: `/api/channels/${segment(channelId)}/messages`,
      body,
      idempotent: body.id !== undefined,
    });
    return answer.message;
  }
}
