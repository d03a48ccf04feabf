import type { Blocklist, BlocklistResponse, BlocklistsResponse, CreateBlocklistBody, UpdateBlocklistBody } from '@chatsdk/protocol';
import { type RequestManager, seg } from '../http/requests.js';

const PATH = '/api/moderation/blocklists';

/** `client.moderation.blocklists`: the app's named lists of words and patterns (app moderators). Attach one with `channel.moderation.setBlocklists([name])`. */
export class BlocklistsApi {
  constructor(private readonly requests: RequestManager) {}

  /** Creates a list: `{ name, words, patterns?, mode: 'block' | 'flag' | 'mask', channelTypes? }`. */
  async create(body: CreateBlocklistBody): Promise<Blocklist> {
    return (await this.requests.request<BlocklistResponse>(PATH, { body })).blocklist;
  }

  /** Every list of the app, by name. */
  async list(): Promise<Blocklist[]> {
    return (await this.requests.request<BlocklistsResponse>(PATH)).blocklists;
  }

  /** One list. */
  async get(name: string): Promise<Blocklist> {
    return (await this.requests.request<BlocklistResponse>(`${PATH}/${seg(name)}`)).blocklist;
  }

  /** Replaces what `change` gives (words, patterns, mode, channel types). */
  async update(name: string, change: UpdateBlocklistBody): Promise<Blocklist> {
    return (await this.requests.request<BlocklistResponse>(`${PATH}/${seg(name)}`, { method: 'PATCH', body: change })).blocklist;
  }

  /** Deletes a list. */
  async delete(name: string): Promise<void> {
    await this.requests.request<undefined>(`${PATH}/${seg(name)}`, { method: 'DELETE' });
  }
}
