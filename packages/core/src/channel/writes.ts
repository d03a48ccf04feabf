import type { Message, MessageResponse, Reaction, ReactionResponse, SendMessageBody } from '@chatsdk/protocol';
import type { ChatError } from '../errors.js';
import type { OutboxOperation } from '../offline/storage.js';
import type { LocalMessage } from '../state/message-list.js';
import type { SendOperation } from '../uploads/file-sender.js';
import type { FileInput } from '../uploads/types.js';
import { localFiles } from './files.js';
import { type ChannelStores, windowsOf } from './apply-event.js';

/** What a message is sent with: text, or a body without the id (the client chooses one unless given). */
export type MessageInput = string | (Omit<SendMessageBody, 'userId' | 'id'> & { id?: string });

/** Options of `sendMessage`. */
export interface SendMessageOptions {
  /** Files to upload and attach: the message shows at once with their previews and progress, and is sent once they are uploaded. */
  files?: readonly FileInput[];
}

/** The message as it shows before the server has it: with its files' previews and progress, when it has files. */
export function optimisticMessage({ channelId, body, files }: SendOperation, me: string | undefined, now = new Date().toISOString()): LocalMessage {
  const message: LocalMessage = {
    id: body.id,
    channelId,
    seq: 0,
    userId: me ?? null,
    text: body.text ?? '',
    attachments: body.attachments ?? [],
    mentionedUsers: body.mentionedUsers ?? [],
    quotedMessageId: body.quotedMessageId ?? null,
    quotedMessage: null,
    parentId: body.parentId ?? null,
    showInChannel: body.showInChannel ?? false,
    replyCount: 0,
    lastReplyAt: null,
    threadParticipants: [],
    custom: body.custom ?? {},
    silent: body.silent ?? false,
    pinnedAt: null,
    pinnedBy: null,
    reactionCounts: {},
    reactionScores: {},
    latestReactions: [],
    ownReactions: [],
    createdAt: now,
    updatedAt: now,
    editedAt: null,
    deletedAt: null,
    status: 'sending',
    clientId: body.id,
  };
  if (files?.length) message.files = localFiles(files);
  return message;
}

/** Shows a send still in the outbox (from before a reload, or an earlier session), unless the window has it already. */
export function restorePending(stores: ChannelStores, op: OutboxOperation, createdAt: string): void {
  if (op.kind !== 'send') return;
  const message = optimisticMessage(op, stores.me(), createdAt);
  for (const window of windowsOf(stores, message.parentId)) if (!window.get(message.id)) window.putLocal(message);
}

/** Shows a queued write at once: the optimistic message, edit, tombstone or reaction. */
export function applyOptimistic(stores: ChannelStores, op: OutboxOperation): void {
  switch (op.kind) {
    case 'send': {
      const message = optimisticMessage(op, stores.me());
      for (const window of windowsOf(stores, message.parentId)) window.putLocal(message);
      return;
    }
    case 'edit': {
      const now = new Date().toISOString();
      for (const window of [stores.messages, ...stores.threads.values()]) {
        window.patch(op.messageId, (message) => ({ ...message, ...op.body, editedAt: now, updatedAt: now }));
      }
      return;
    }
    case 'delete':
      for (const window of [stores.messages, ...stores.threads.values()]) {
        window.patch(op.messageId, (message) => ({ ...message, text: '', attachments: [], deletedAt: new Date().toISOString() }));
      }
      return;
    case 'react':
    case 'unreact': {
      const me = stores.me();
      if (!me) return;
      const change = (message: LocalMessage) => withOwnReaction(message, me, op);
      for (const window of [stores.messages, ...stores.threads.values()]) window.patch(op.messageId, change);
      return;
    }
  }
}

/** A message with the user's reaction added or removed as the server will do it; its answer then sets the exact figures. */
function withOwnReaction(message: LocalMessage, me: string, op: Extract<OutboxOperation, { kind: 'react' | 'unreact' }>): LocalMessage {
  const counts = { ...message.reactionCounts };
  const scores = { ...message.reactionScores };
  const type = op.kind === 'react' ? op.body.type : op.type;
  const drop = (reaction: Reaction) => {
    counts[reaction.type] = (counts[reaction.type] ?? 1) - 1;
    scores[reaction.type] = (scores[reaction.type] ?? reaction.score) - reaction.score;
    if ((counts[reaction.type] ?? 0) <= 0) {
      delete counts[reaction.type];
      delete scores[reaction.type];
    }
  };
  const replaced = message.ownReactions.filter((reaction) => reaction.type === type || (op.kind === 'react' && op.body.enforceUnique === true));
  for (const reaction of replaced) drop(reaction);
  let own = message.ownReactions.filter((reaction) => !replaced.includes(reaction));
  if (op.kind === 'react') {
    const reaction: Reaction = { messageId: message.id, userId: me, type, score: op.body.score ?? 1, createdAt: new Date().toISOString() };
    counts[type] = (counts[type] ?? 0) + 1;
    scores[type] = (scores[type] ?? 0) + reaction.score;
    own = [...own, reaction];
  }
  return { ...message, reactionCounts: counts, reactionScores: scores, ownReactions: own };
}

/** Takes the server's answer to a write. */
export function applyDone(stores: ChannelStores, op: OutboxOperation, result: unknown): void {
  const message: Message | undefined = (result as MessageResponse | ReactionResponse | undefined)?.message;
  if (message) putAnswer(stores, message, op.kind === 'send');
}

/**
 * A message as the server answered it to this user (with `ownReactions`).
 * For a send, the realtime echo may have come first, and newer events after
 * it: then the answer only confirms. Otherwise it goes where the message shows.
 */
export function putAnswer(stores: ChannelStores, message: Message, sent = false): void {
  for (const window of windowsOf(stores, message.parentId)) {
    const existing = window.get(message.id);
    if (sent && existing?.status === 'sent') continue;
    if (existing || sent) window.putServer(message, false);
  }
}

/** A write the server refused, or that failed on every retry. */
export function applyFailed(stores: ChannelStores, op: OutboxOperation, error: ChatError): void {
  if (op.kind !== 'send') return;
  for (const window of windowsOf(stores, op.body.parentId ?? null)) {
    window.patch(op.body.id, (message) => (message.status === 'sent' ? message : { ...message, status: 'failed', error }));
  }
}
