import type { LocalMessage } from '@chatsdk/core';
import { memo, type ReactNode, useRef } from 'react';
import { useChannelContext } from './channel-context.js';

/** A reaction type and how it shows. */
export interface ReactionOption {
  type: string;
  emoji: string;
  label: string;
}

/** The reactions `ReactionPicker` offers by default. */
export const DEFAULT_REACTIONS: readonly ReactionOption[] = [
  { type: 'like', emoji: '👍', label: 'Like' },
  { type: 'love', emoji: '❤️', label: 'Love' },
  { type: 'haha', emoji: '😂', label: 'Haha' },
  { type: 'wow', emoji: '😮', label: 'Wow' },
  { type: 'sad', emoji: '😢', label: 'Sad' },
  { type: 'fire', emoji: '🔥', label: 'Fire' },
];

/** The emoji of a reaction type (the type itself when unknown). */
export function reactionEmoji(type: string, options: readonly ReactionOption[] = DEFAULT_REACTIONS): string {
  return options.find((option) => option.type === type)?.emoji ?? type;
}

/** Props of `<ReactionPicker>`. */
export interface ReactionPickerProps {
  /** Called with the type picked. */
  onPick: (type: string) => void;
  /** Escape pressed. */
  onClose?: () => void;
  reactions?: readonly ReactionOption[];
}

/** A toolbar of reactions: arrow keys move, Enter picks, Escape closes. */
export function ReactionPicker({ onPick, onClose, reactions = DEFAULT_REACTIONS }: ReactionPickerProps): ReactNode {
  const bar = useRef<HTMLDivElement>(null);
  return (
    <div
      ref={bar}
      role="toolbar"
      aria-label="Pick a reaction"
      className="chat-reaction-picker"
      onKeyDown={(event) => {
        const buttons = [...(bar.current?.querySelectorAll('button') ?? [])];
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        if (event.key === 'Escape') onClose?.();
        else if (event.key === 'ArrowRight') buttons[(at + 1) % buttons.length]?.focus();
        else if (event.key === 'ArrowLeft') buttons[(at - 1 + buttons.length) % buttons.length]?.focus();
        else return;
        event.preventDefault();
      }}
    >
      {reactions.map((option) => (
        <button key={option.type} type="button" className="chat-reaction-option" aria-label={option.label} title={option.label} onClick={() => onPick(option.type)}>
          {option.emoji}
        </button>
      ))}
    </div>
  );
}

/** Props of `<ReactionBar>`. */
export interface ReactionBarProps {
  message: LocalMessage;
  reactions?: readonly ReactionOption[];
}

/** A message's reactions with their counts; pressing one adds or removes the user's own. */
export const ReactionBar = memo(function ReactionBar({ message, reactions = DEFAULT_REACTIONS }: ReactionBarProps): ReactNode {
  const { channel } = useChannelContext();
  const counts = Object.entries(message.reactionCounts).filter(([, count]) => count > 0);
  if (counts.length === 0) return null;
  const own = new Set(message.ownReactions.map((reaction) => reaction.type));
  return (
    <div className="chat-reaction-bar" role="group" aria-label="Reactions">
      {counts.map(([type, count]) => (
        <button
          key={type}
          type="button"
          className="chat-reaction"
          aria-pressed={own.has(type)}
          aria-label={`${reactions.find((option) => option.type === type)?.label ?? type}: ${count}`}
          onClick={() => void (own.has(type) ? channel.unreact(message.id, type) : channel.react(message.id, type)).catch(() => undefined)}
        >
          <span aria-hidden="true">{reactionEmoji(type, reactions)}</span> {count}
        </button>
      ))}
    </div>
  );
});
