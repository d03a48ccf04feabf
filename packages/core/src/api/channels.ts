import type { ChannelsPage, ChannelState, CreateChannelBody, ListChannelsQuery } from '@chatsdk/protocol';
import type { ChatChannel } from '../channel/channel.js';
import type { RequestManager } from '../http/requests.js';
import { ChannelListStore } from '../state/channel-list.js';

/** What a distinct DM is created with, beside its members. */
export type DirectMessageOptions = Omit<CreateChannelBody, 'type' | 'members' | 'distinct' | 'createdBy' | 'id'>;

/** `client.channels`: find, create and list channels. */
export class ChannelsApi {
  /** The user's channel list, ordered by last message, with unread counts. */
  readonly list: ChannelListStore;

  constructor(
    private readonly requests: RequestManager,
    private readonly channel: (id: string) => ChatChannel,
    private readonly me: () => string | undefined,
  ) {
    this.list = new ChannelListStore((query) => this.fetch(query), me);
  }

  /** Loads the user's channels into `list` (first page, with these filters); answers the page. */
  query(filters: ListChannelsQuery = {}): Promise<ChannelsPage> {
    return this.list.query(filters);
  }

  /** Loads the next page of `list`. */
  loadMore(): Promise<ChannelsPage | undefined> {
    return this.list.loadMore();
  }

  /** Creates a channel (or answers the existing distinct one, or a visible one with this id). */
  async create(body: CreateChannelBody): Promise<ChatChannel> {
    const state = await this.requests.request<ChannelState>('/api/channels', { body });
    return this.adopt(state);
  }

  /** A channel, fetched. */
  async get(id: string): Promise<ChatChannel> {
    const channel = this.channel(id);
    this.list.refresh(await channel.get());
    return channel;
  }

  /** The one direct conversation between the user and `userIds` (created on first use). */
  dm(userIds: string | string[], options: DirectMessageOptions = {}): Promise<ChatChannel> {
    const others = typeof userIds === 'string' ? [userIds] : userIds;
    const me = this.me();
    const members = [...new Set([...(me ? [me] : []), ...others])];
    return this.create({ ...options, type: 'messaging', members, distinct: true });
  }

  private fetch(query: ListChannelsQuery): Promise<ChannelsPage> {
    return this.requests.request<ChannelsPage>('/api/channels', { query: { ...query } });
  }

  private adopt(state: ChannelState): ChatChannel {
    const channel = this.channel(state.channel.id);
    channel.state.set(state);
    if (state.membership) this.list.put(state);
    return channel;
  }
}
