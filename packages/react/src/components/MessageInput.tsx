import { type ChatError, isChatError } from '@chatsdk/core';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useChatClient } from '../hooks/use-chat-client.js';
import { useCurrentUser } from '../hooks/use-current-user.js';
import { useMembers } from '../hooks/use-members.js';
import { useSendMessage } from '../hooks/use-send-message.js';
import { useSendState } from '../hooks/use-send-state.js';
import { useStore } from '../hooks/use-store.js';
import { userCache } from '../internal/user-cache.js';
import { useChannelContext, useChannelView } from './channel-context.js';
import { AttachButton } from './composer/AttachButton.js';
import { ComposerNotice } from './composer/ComposerNotice.js';
import { ComposerFiles } from './composer/ComposerFiles.js';
import { useComposerFiles } from './composer/use-composer-files.js';
import { useFileDrop } from './composer/use-file-drop.js';
import { EmojiPicker } from './EmojiPicker.js';
import { MentionSuggestions, suggestionsId } from './MentionSuggestions.js';
import { mentionedIn, mentionQuery } from './mentions.js';

/** Props of `<MessageInput>`. */
export interface MessageInputProps {
  /** Posts into this thread. */
  parentId?: string;
  placeholder?: string;
  /** Whether files can be attached (the button, a drop, a paste); default true. */
  files?: boolean;
}

/** Refusals after which the text goes back into the composer (the failed copy leaves the list): the user may send it later, or change it. */
const GIVES_TEXT_BACK = new Set<string>(['user_banned', 'channel_frozen', 'slow_mode', 'message_blocked']);

/**
 * The composer: multiline (Shift+Enter), Enter sends, `@` suggests members,
 * an emoji picker, files (the attach button, dropped on it or pasted; sent
 * with the message, which shows their progress), edit mode (the Edit action,
 * or ↑ in an empty composer; Escape cancels) and typing keystrokes for the
 * others' indicator. Moderation shows above it: a ban (until when), a freeze,
 * slow mode's cooldown counting down; while one holds, Send is off and the
 * text stays, and a send the server refuses for one puts its text back.
 */
export function MessageInput({ parentId, placeholder = 'Write a message', files: allowFiles = true }: MessageInputProps): ReactNode {
  const { channel, view } = useChannelContext();
  const me = useChatClient().userId;
  const send = useSendMessage(channel, parentId);
  const members = useMembers(channel);
  const users = useStore(userCache(useChatClient()));
  const editing = useChannelView((state) => (state.editing && (state.editing.parentId ?? undefined) === parentId ? state.editing.id : null));
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [refusal, setRefusal] = useState<ChatError | null>(null);
  const sendState = useSendState(channel);
  // The app role exempts app moderators from freezes and slow mode: read once.
  useCurrentUser();
  const held = sendState.status !== 'open' && !editing;
  const box = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const staged = useComposerFiles();
  const drop = useFileDrop(staged.add, allowFiles && !editing);
  const window = parentId ? channel.thread(parentId) : channel.messages;

  useEffect(() => {
    if (!editing) return;
    setText(window.get(editing)?.text ?? '');
    box.current?.focus();
  }, [editing, window]);

  const memberIds = useMemo(() => members.map((member) => member.userId), [members]);
  const query = mentionQuery(text, caret);
  const suggestions = useMemo(() => {
    if (!query || dismissed === query.start) return [];
    const q = query.query.toLowerCase();
    return memberIds.filter((id) => id !== me && (id.toLowerCase().startsWith(q) || (users[id]?.name ?? '').toLowerCase().split(/\s+/).some((word) => word.startsWith(q)))).slice(0, 8);
  }, [query?.query, query?.start, dismissed, memberIds, users, me]);

  const change = (next: string, at: number) => {
    setText(next);
    setRefusal(null);
    setCaret(at);
    setActive(0);
    if (next.trim()) channel.keystroke(parentId);
    else channel.stopTyping(parentId);
  };

  const insert = (piece: string, from = caret, to = caret) => {
    const next = text.slice(0, from) + piece + text.slice(to);
    change(next, from + piece.length);
    requestAnimationFrame(() => box.current?.setSelectionRange(from + piece.length, from + piece.length));
  };

  const stopEditing = () => {
    view.update((state) => ({ ...state, editing: null }));
    change('', 0);
  };

  const submit = () => {
    const body = text.trim();
    if (editing) {
      if (!body) return;
      void channel.editMessage(editing, body).catch(() => undefined);
      stopEditing();
      return;
    }
    if ((!body && staged.files.length === 0) || held) return;
    const mentionedUsers = mentionedIn(body, memberIds);
    const files = staged.take();
    const typed = text;
    void send(mentionedUsers.length > 0 ? { text: body, mentionedUsers } : body, files.length > 0 ? { files } : undefined).catch((error: unknown) => {
      if (!isChatError(error) || !GIVES_TEXT_BACK.has(error.code)) return;
      // A message with files stays in the list, failed, for Retry: its files are no longer the composer's.
      if (files.length > 0) return;
      const failed = window.getSnapshot().messages.find((message) => message.error === error);
      if (failed) channel.discard(failed.id);
      setText((current) => (current === '' ? typed : current));
      setRefusal(error);
    });
    change('', 0);
    channel.stopTyping(parentId);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0 && query) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((at) => (at + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        insert(`@${suggestions[active] ?? suggestions[0]} `, query.start, caret);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissed(query.start);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && editing) {
      event.preventDefault();
      stopEditing();
    } else if (event.key === 'ArrowUp' && !text) {
      const mine = [...window.getSnapshot().messages].reverse().find((m) => m.userId === me && !m.deletedAt && m.status === 'sent');
      if (!mine) return;
      event.preventDefault();
      view.update((state) => ({ ...state, editing: { id: mine.id, parentId: mine.parentId } }));
    }
  };

  const open = suggestions.length > 0;
  const canSend = !held && (text.trim() !== '' || (!editing && staged.files.length > 0));
  // Banned or frozen there is nothing to type for; in slow mode the next message may be written meanwhile.
  const locked = !editing && (sendState.status === 'banned' || sendState.status === 'frozen');
  return (
    <div
      className="chat-message-input"
      data-editing={editing ? 'true' : undefined}
      data-dragging={drop.dragging ? 'true' : undefined}
      data-send-state={editing ? undefined : sendState.status}
      {...drop.dropHandlers}
    >
      {editing ? null : <ComposerNotice state={sendState} refusal={refusal} />}
      {editing ? (
        <div className="chat-message-input-editing" role="status">
          Editing message{' '}
          <button type="button" className="chat-link-button" onClick={stopEditing}>
            Cancel
          </button>
        </div>
      ) : null}
      {open ? <MentionSuggestions inputId={inputId} userIds={suggestions} active={active} onPick={(id) => query && insert(`@${id} `, query.start, caret)} /> : null}
      {emojiOpen ? (
        <EmojiPicker
          onPick={(emoji) => {
            setEmojiOpen(false);
            insert(emoji);
            box.current?.focus();
          }}
          onClose={() => setEmojiOpen(false)}
        />
      ) : null}
      {editing ? null : <ComposerFiles files={staged.files} refused={staged.refused} onRemove={staged.remove} />}
      <div className="chat-message-input-row">
        {allowFiles && !editing && !locked ? (
          <AttachButton
            onFiles={(files) => {
              staged.add(files);
              box.current?.focus();
            }}
          />
        ) : null}
        <textarea
          ref={box}
          id={inputId}
          className="chat-textarea"
          rows={1}
          value={text}
          placeholder={editing ? 'Edit message' : placeholder}
          aria-label={editing ? 'Edit message' : placeholder}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={open ? suggestionsId(inputId) : undefined}
          aria-activedescendant={open ? `${inputId}-mention-${active}` : undefined}
          onChange={(event) => change(event.target.value, event.target.selectionStart)}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={drop.onPaste}
          disabled={locked}
        />
        <button type="button" className="chat-icon-button" aria-label="Insert emoji" aria-expanded={emojiOpen} onClick={() => setEmojiOpen(!emojiOpen)}>
          ☺
        </button>
        <button type="button" className="chat-button chat-send" onClick={submit} disabled={!canSend}>
          {editing ? 'Save' : 'Send'}
        </button>
      </div>
    </div>
  );
}
