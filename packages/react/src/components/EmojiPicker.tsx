import { type ReactNode, useRef } from 'react';

/** The emoji `EmojiPicker` offers by default. */
export const DEFAULT_EMOJI: readonly string[] = ['😀', '😂', '😊', '😍', '🤔', '😮', '😢', '😡', '👍', '👎', '👏', '🙏', '🎉', '🔥', '❤️', '✅', '👀', '🚀', '💯', '🙌'];

/** A grid of emoji: arrow keys move, Enter picks, Escape closes. */
export function EmojiPicker({ onPick, onClose, emoji = DEFAULT_EMOJI }: { onPick: (emoji: string) => void; onClose?: () => void; emoji?: readonly string[] }): ReactNode {
  const grid = useRef<HTMLDivElement>(null);
  return (
    <div
      ref={grid}
      className="chat-emoji-picker"
      role="toolbar"
      aria-label="Insert emoji"
      onKeyDown={(event) => {
        const buttons = [...(grid.current?.querySelectorAll('button') ?? [])];
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        if (event.key === 'Escape') onClose?.();
        else if (event.key === 'ArrowRight' || event.key === 'ArrowDown') buttons[(at + 1) % buttons.length]?.focus();
        else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') buttons[(at - 1 + buttons.length) % buttons.length]?.focus();
        else return;
        event.preventDefault();
      }}
    >
      {emoji.map((item) => (
        <button key={item} type="button" className="chat-emoji" aria-label={item} onClick={() => onPick(item)}>
          {item}
        </button>
      ))}
    </div>
  );
}
