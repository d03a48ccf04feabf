import type { ReactNode } from 'react';
import { useUserName } from '../hooks/use-user.js';
import { Avatar } from './Avatar.js';

/** The listbox id a composer's textarea points at with `aria-controls`. */
export function suggestionsId(inputId: string): string {
  return `${inputId}-mentions`;
}

function Option({ id, userId, active, onPick }: { id: string; userId: string; active: boolean; onPick: (userId: string) => void }): ReactNode {
  const name = useUserName(userId);
  return (
    <li
      id={id}
      role="option"
      aria-selected={active}
      className="chat-mention-option"
      onMouseDown={(event) => {
        // Keep the textarea's focus and caret.
        event.preventDefault();
        onPick(userId);
      }}
    >
      <Avatar userId={userId} size={20} /> <span>{name}</span> <span className="chat-mention-id">@{userId}</span>
    </li>
  );
}

/** The members matching the `@query` typed, as a listbox driven from the textarea (up, down, Enter or Tab, Escape). */
export function MentionSuggestions({ inputId, userIds, active, onPick }: { inputId: string; userIds: readonly string[]; active: number; onPick: (userId: string) => void }): ReactNode {
  return (
    <ul id={suggestionsId(inputId)} role="listbox" aria-label="Mention someone" className="chat-mention-suggestions">
      {userIds.map((userId, i) => (
        <Option key={userId} id={`${inputId}-mention-${i}`} userId={userId} active={i === active} onPick={onPick} />
      ))}
    </ul>
  );
}
