import type { MentionsPage } from '@chatsdk/protocol';
import type { RequestManager } from '../http/requests.js';

/** `client.mentions`: messages that mention the user. */
export class MentionsApi {
  constructor(private readonly requests: RequestManager) {}

  /** A page of messages mentioning the user, newest first. */
  query(query: { limit?: number; cursor?: string } = {}): Promise<MentionsPage> {
    return this.requests.request<MentionsPage>('/api/mentions', { query });
  }
}
