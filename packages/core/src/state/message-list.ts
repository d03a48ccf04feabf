import type { Message } from '@chatsdk/protocol';
import type { ChatError } from '../errors.js';
import type { LocalFile } from '../uploads/types.js';

/** Where a message stands on this device: `sending` until the server has it, `failed` when it gave up. */
export type MessageStatus = 'sending' | 'sent' | 'failed';

/** A message as the stores hold it: the server's message plus its local state. */
export type LocalMessage = Message & {
  status: MessageStatus;
  /** The id this client chose when it sent the message (equal to `id`); absent for others' messages. */
  clientId?: string;
  /** Why a `failed` message failed. */
  error?: ChatError;
  /** Files of a message this device has not sent yet, with their previews and progress; gone once the server has it (its `attachments` then hold them). */
  files?: readonly LocalFile[];
};

/** A message of the server, as a sent `LocalMessage`. */
export function fromServer(message: Message, previous?: LocalMessage, fromEvent = false): LocalMessage {
  const local: LocalMessage = { ...message, status: 'sent' };
  if (previous?.clientId !== undefined) local.clientId = previous.clientId;
  // Events are the same for every receiver and carry no `ownReactions`: keep what this user's view knew.
  if (fromEvent && previous) local.ownReactions = previous.ownReactions;
  return local;
}

/** Sent messages by sequence; messages the server has not numbered yet (seq 0) after them, in the order they were made. */
function before(a: LocalMessage, b: LocalMessage): boolean {
  if (a.seq > 0 && b.seq > 0) return a.seq < b.seq;
  if (a.seq > 0 || b.seq > 0) return a.seq > 0;
  return a.createdAt < b.createdAt;
}

/** A new list with `message` in its place, replacing the message with its id if there is one. */
export function upsert(list: readonly LocalMessage[], message: LocalMessage): LocalMessage[] {
  const next = list.filter((item) => item.id !== message.id);
  // Most messages are the newest: search from the end.
  let index = next.length;
  while (index > 0 && before(message, next[index - 1] as LocalMessage)) index--;
  next.splice(index, 0, message);
  return next;
}

/** A new list with `messages` merged in (by id), in order. */
export function upsertAll(list: readonly LocalMessage[], messages: readonly LocalMessage[]): LocalMessage[] {
  const byId = new Map(list.map((item) => [item.id, item]));
  for (const message of messages) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

/** The list without the message `id`; the same list when it was not there. */
export function without(list: readonly LocalMessage[], id: string): readonly LocalMessage[] {
  return list.some((item) => item.id === id) ? list.filter((item) => item.id !== id) : list;
}

/** The message `id` changed by `change`; the same list when it is not there. */
export function patch(list: readonly LocalMessage[], id: string, change: (message: LocalMessage) => LocalMessage): readonly LocalMessage[] {
  const index = list.findIndex((item) => item.id === id);
  if (index < 0) return list;
  const next = [...list];
  next[index] = change(list[index] as LocalMessage);
  return next;
}
