import type { Attachment } from '@chatsdk/protocol';
import type { ChannelRecord } from '../channels/channel-records.js';
import type { UserRecord } from '../users/users.js';

/** The event type of a before-send request's body. */
export const BEFORE_SEND_TYPE = 'message.before_send';

/** A message as it would be stored if the hook allows it: what the sender sent, before any write. */
export interface MessageDraft {
  id: string;
  channelId: string;
  text: string;
  attachments: Attachment[];
  custom: Record<string, unknown>;
  mentionedUsers: string[];
  parentId: string | null;
  quotedMessageId: string | null;
  showInChannel: boolean;
  silent: boolean;
}

/**
 * The JSON body a before-send hook receives, in the webhook envelope
 * (`{ type, timestamp, data }`) so one verifier and one router serve both.
 */
export interface BeforeSendBody {
  type: typeof BEFORE_SEND_TYPE;
  /** When the sender sent it, ISO-8601. */
  timestamp: string;
  data: {
    message: MessageDraft & { userId: string };
    user: { id: string; name: string | null; image: string | null; role: string; custom: Record<string, unknown> };
    channel: { id: string; type: string; name: string | null; memberCount: number; custom: Record<string, unknown> };
  };
}

/** The request body asking the hook about `draft`, sent by `user` into `channel`. */
export function beforeSendBody(draft: MessageDraft, user: UserRecord, channel: ChannelRecord, now = Date.now()): BeforeSendBody {
  return {
    type: BEFORE_SEND_TYPE,
    timestamp: new Date(now).toISOString(),
    data: {
      message: { ...draft, userId: user.id },
      user: { id: user.id, name: user.name, image: user.image, role: user.role, custom: user.custom },
      channel: { id: channel.id, type: channel.type, name: channel.name, memberCount: channel.memberCount, custom: channel.custom },
    },
  };
}
