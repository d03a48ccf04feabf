import type { Static } from 'typebox';
import type * as M from './schemas/messages.js';

type Attachment = Static<typeof M.Attachment>;

/** A message as the before-send hook is asked about it: what would be stored if the hook allows it. */
export interface BeforeSendMessage {
  id: string;
  channelId: string;
  userId: string;
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
 * The JSON body ChatSDK posts to an app's before-send hook, signed like a
 * webhook (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and in
 * the webhook envelope, so one verifier serves both.
 */
export interface BeforeSendRequest {
  type: 'message.before_send';
  /** When the sender sent it, ISO-8601. */
  timestamp: string;
  data: {
    /** Present (true) when the sender is editing a message already sent: `message` is the message as the edit would leave it. */
    edit?: true;
    message: BeforeSendMessage;
    user: { id: string; name: string | null; image: string | null; role: string; custom: Record<string, unknown> };
    channel: { id: string; type: string; name: string | null; memberCount: number; custom: Record<string, unknown> };
  };
}

/**
 * What a before-send hook answers (HTTP 2xx, JSON): `{}`, an empty body or
 * `{ allow: true }` stores the message as sent; `{ reject: true, reason? }`
 * (or `{ allow: false }`) refuses it with 403 `message_rejected` and the
 * reason; `{ message: { text?, attachments?, custom? } }` stores it with
 * those parts replaced, held to the rules a sender's input is held to (other
 * fields of `message` are ignored, so the hook may return the message it got, edited).
 */
export type BeforeSendAnswer =
  | { allow?: true }
  | { allow?: false; reject: true; reason?: string }
  | { allow: false; reason?: string }
  | { message: { text?: string; attachments?: Attachment[]; custom?: Record<string, unknown> } };
