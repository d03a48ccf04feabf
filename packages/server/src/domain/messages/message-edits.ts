import type { Flag, Message, UpdateMessageBody } from '@chatsdk/protocol';
import type { Updateable } from 'kysely';
import { ApiError } from '../../errors.js';
import type { MessagesTable } from '../../store/schema.js';
import { type Caller, callerUserId } from '../auth/caller.js';
import { requirePermission } from '../channels/channel-permissions.js';
import { serialiseCustom } from '../common/custom-data.js';
import { type Tx, transact } from '../events/events.js';
import { attachUploads, releaseUploads, uploadIdsOf } from '../files/attachments.js';
import { purgeUploadsOf } from '../files/upload-deletes.js';
import { announceFlags } from '../moderation/flag-announce.js';
import { flagMessageBySystem } from '../moderation/flag-writes.js';
import { screenText } from '../moderation/screen-message.js';
import { addMentions, mentionCandidates, removeMentions, resolveMentions } from './mentions.js';
import { accessMessage, lockMessage } from './message-access.js';
import { checkMessageContent } from './message-content.js';
import { hydrateMessages, type MessageRecord, messageFromRow, toWireMessage } from './message-records.js';
import type { SendContext } from './send-message.js';
import { screenMessage } from './send-hook.js';

/**
 * Whom an edited text mentions. Mentions given at send time in
 * `mentionedUsers` (those the old text does not spell out) are kept; those
 * written as `@id` follow the new text, so correcting "@bbo" to "@bob" moves
 * the mention.
 */
async function mentionsAfterEdit(trx: Tx, message: MessageRecord, text: string): Promise<string[]> {
  const spelledOut = new Set(mentionCandidates(message.text));
  const explicit = message.mentionedUsers.filter((u) => !spelledOut.has(u));
  return resolveMentions(trx, message.appId, message.channelId, message.userId, [...mentionCandidates(text), ...explicit]);
}

/**
 * A user's edit put to the app's before-send hook, as the message the edit
 * would leave: otherwise a message the hook would refuse could be sent clean
 * and then edited into it. Outside the transaction, like a send's; an edit
 * the transaction would refuse anyway (not the author, a tombstone) is not
 * shown to the hook. Returns the patch to apply, with the hook's replacements.
 */
async function screenedEdit(ctx: SendContext, caller: Caller, id: string, patch: UpdateMessageBody): Promise<UpdateMessageBody> {
  const hook = caller.app.beforeSendHook;
  if (caller.kind !== 'user' || !hook) return patch;
  const { access, message } = await accessMessage(ctx.store.db, caller, id);
  if (message.userId !== caller.user.id || message.deletedAt !== null) return patch;
  // An edit the transaction would refuse for a ban or a freeze is not shown to the hook either.
  requirePermission(access, 'send-message');
  const text = patch.text ?? message.text;
  const attachments = patch.attachments ?? message.attachments;
  const custom = patch.custom ?? message.custom;
  checkMessageContent(caller.app, text, attachments);
  const draft = {
    id,
    channelId: message.channelId,
    text,
    attachments,
    custom,
    mentionedUsers: message.mentionedUsers,
    parentId: message.parentId,
    quotedMessageId: message.quotedMessageId,
    showInChannel: message.showInChannel,
    silent: message.silent,
  };
  const draftCustom = serialiseCustom(custom);
  const screened = await screenMessage(ctx.outbound, caller, hook, access.channel, draft, draftCustom, true);
  // Only what changed is written: a part the hook replaced becomes part of the edit.
  return {
    ...patch,
    ...(screened.text !== text ? { text: screened.text } : {}),
    ...(screened.attachments !== attachments ? { attachments: screened.attachments } : {}),
    ...(screened.custom !== draftCustom ? { custom: JSON.parse(screened.custom) as Record<string, unknown> } : {}),
  };
}

/**
 * `PATCH /api/messages/:id`: the author changes text, attachments or custom
 * data (the server may edit any message, as it may delete any). The result
 * obeys the rules of a send; `editedAt` and `updatedAt` move; `message.updated`
 * is written in the same transaction. A user's new text is put to the
 * channel's blocklists as a send's is: `block` refuses the edit (nothing is
 * written), `mask` stores it masked, `flag` flags the message with the edit.
 * An edit of a shadowed message writes no event: nobody else sees it.
 *
 * A deleted message is refused with 400 `validation_failed`, not 404: its
 * tombstone is still served by `GET /api/messages/:id`, so "not found" would
 * contradict what the caller can see; it exists but has nothing left to edit.
 */
export async function updateMessage(ctx: SendContext, caller: Caller, id: string, input: UpdateMessageBody): Promise<Message> {
  if (input.text === undefined && input.attachments === undefined && input.custom === undefined) {
    throw new ApiError('validation_failed', 'give at least one of text, attachments and custom');
  }
  const patch = await screenedEdit(ctx, caller, id, input);
  const custom = patch.custom === undefined ? undefined : serialiseCustom(patch.custom);
  const flagged: Flag[] = [];
  const wire = await transact(ctx, async (trx, events) => {
    flagged.length = 0;
    const { access, message: found } = await accessMessage(trx, caller, id);
    if (caller.kind === 'user' && found.userId !== caller.user.id) throw new ApiError('forbidden', 'only its author may edit a message');
    // An edit writes into the channel as a send does: a ban or a freeze that stops one stops the other.
    if (caller.kind === 'user') requirePermission(access, 'send-message');
    const message = await lockMessage(trx, found);
    if (message.deletedAt !== null) throw new ApiError('validation_failed', `message "${id}" is deleted: a tombstone cannot be edited`);
    const attachments = patch.attachments ?? message.attachments;
    checkMessageContent(caller.app, patch.text ?? message.text, attachments);
    // The server's edits are the app's own, and not screened, as its sends are not.
    const screening = patch.text !== undefined && caller.kind === 'user' ? await screenText(trx, caller.app, access.channel, patch.text) : undefined;
    const text = screening?.text ?? patch.text ?? message.text;

    const now = Date.now();
    const set: Updateable<MessagesTable> = { updated_at: now, edited_at: now };
    if (patch.attachments !== undefined) {
      // Uploads the edit names are bound to the message; those it no longer names go, bytes and all.
      const stored = await attachUploads(trx, caller, { channelId: message.channelId, messageId: id, now }, patch.attachments);
      await releaseUploads(trx, message.appId, [id], uploadIdsOf(patch.attachments), now);
      set.attachments = JSON.stringify(stored);
    }
    if (custom !== undefined) set.custom = custom;
    if (patch.text !== undefined) {
      set.text = text;
      // A shadowed message mentions nobody (see sendShadowed): its edit must not notify anyone either.
      if (!message.shadowed) {
        const mentioned = await mentionsAfterEdit(trx, message, text);
        const before = new Set(message.mentionedUsers);
        const after = new Set(mentioned);
        await removeMentions(trx, message, message.mentionedUsers.filter((u) => !after.has(u)));
        await addMentions(trx, message, mentioned.filter((u) => !before.has(u)));
        set.mentioned_users = JSON.stringify(mentioned);
      }
    }
    const row = await trx.updateTable('messages').set(set).where('app_id', '=', message.appId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    const updated = messageFromRow(row);
    // A shadowed message has no event of its own (see sendShadowed): its edit must not be the first.
    if (!updated.shadowed) await events.emit(updated.appId, updated.channelId, { type: 'message.updated', message: toWireMessage(updated) });
    if (screening && screening.flaggedBy.length > 0) {
      const flag = await flagMessageBySystem(ctx.store, trx, { appId: updated.appId, message: toWireMessage(updated), reason: `blocklist: ${screening.flaggedBy.join(', ')}` });
      if (flag) flagged.push(flag);
    }
    const [hydrated] = await hydrateMessages(trx, updated.appId, [updated], callerUserId(caller));
    if (!hydrated) throw new Error('hydrating one message returned none');
    return hydrated;
  });
  if (flagged.length > 0) await announceFlags(ctx.bus, caller.app.id, flagged);
  if (patch.attachments !== undefined) await purgeUploadsOf(ctx.store, caller.app.id, [id]);
  return wire;
}
