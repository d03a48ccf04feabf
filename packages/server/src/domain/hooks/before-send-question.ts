import type { BeforeSendMessage, BeforeSendRequest } from '@chatsdk/protocol';
import type { ChannelRecord } from '../channels/channel-records.js';
import type { UserRecord } from '../users/users.js';

/** The event type of a before-send request's body. */
export const BEFORE_SEND_TYPE = 'message.before_send';

/** A message as it would be stored if the hook allows it: what the sender sent, before any write. */
export type MessageDraft = Omit<BeforeSendMessage, 'userId'>;

/** The request body asking the hook about `draft`, sent by `user` into `channel` (or, with `edit`, an existing message as an edit would leave it). */
export function beforeSendBody(draft: MessageDraft, user: UserRecord, channel: ChannelRecord, now = Date.now(), edit = false): BeforeSendRequest {
  return {
    type: BEFORE_SEND_TYPE,
    timestamp: new Date(now).toISOString(),
    data: {
      ...(edit ? { edit: true as const } : {}),
      message: { ...draft, userId: user.id },
      user: { id: user.id, name: user.name, image: user.image, role: user.role, custom: user.custom },
      channel: { id: channel.id, type: channel.type, name: channel.name, memberCount: channel.memberCount, custom: channel.custom },
    },
  };
}
