import type { Attachment } from '@chatsdk/protocol';
import type { OutboundGuard } from '../../outbound/index.js';
import type { BeforeSendHookRecord } from '../auth/apps.js';
import type { UserCaller } from '../auth/caller.js';
import type { ChannelRecord } from '../channels/channel-records.js';
import { serialiseCustom } from '../common/custom-data.js';
import { askBeforeSend } from '../hooks/before-send-hook.js';
import { beforeSendBody, type MessageDraft } from '../hooks/before-send-question.js';
import { checkMessageContent } from './message-content.js';

/** The parts of a message a send stores, after the hook had its say. */
export interface SendContent {
  text: string;
  attachments: Attachment[];
  /** Serialised, as stored. */
  custom: string;
}

/**
 * Puts a user's new message to the app's before-send hook and returns what
 * to store: the draft's content, or the hook's replacement of it, held to
 * the rules of a sender's own input. `draftCustom` is the draft's custom
 * as stored (already serialised and checked). Throws `message_rejected` or
 * `before_send_hook_unavailable` (hooks/before-send-hook.ts). With `edit`,
 * the draft is an existing message as the user's edit would leave it.
 */
export async function screenMessage(
  outbound: OutboundGuard,
  caller: UserCaller,
  hook: BeforeSendHookRecord,
  channel: ChannelRecord,
  draft: MessageDraft,
  draftCustom: string,
  edit = false,
): Promise<SendContent> {
  let custom = draftCustom;
  const decision = await askBeforeSend(outbound, hook, beforeSendBody(draft, caller.user, channel, Date.now(), edit), (replacement) => {
    checkMessageContent(caller.app, replacement.text ?? draft.text, replacement.attachments ?? draft.attachments);
    if (replacement.custom !== undefined) custom = serialiseCustom(replacement.custom);
  });
  const replacement = decision.replacement;
  return {
    text: replacement?.text ?? draft.text,
    attachments: replacement?.attachments ?? draft.attachments,
    custom,
  };
}
