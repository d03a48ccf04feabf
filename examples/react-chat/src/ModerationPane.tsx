import { ModerationQueue, useModerationQueue } from '@chatsdk/react';
import type { ReactNode } from 'react';

/** How long the queue's Ban buttons ban for: long enough to see, short enough to end by itself. */
const BAN_MINUTES = 60;

/** The sidebar's button to the review queue, with how many reports wait (moderators only: it loads the queue). */
export function ModerationButton({ open, onToggle }: { open: boolean; onToggle: () => void }): ReactNode {
  const { flags } = useModerationQueue();
  const label = flags.length > 0 ? `Review queue, ${flags.length} waiting` : 'Review queue';
  return (
    <button type="button" className="sidebar-moderation" aria-pressed={open} aria-label={label} onClick={onToggle}>
      ⚑ Review queue
      {flags.length > 0 ? (
        <span className="sidebar-total" aria-hidden="true">
          {flags.length}
        </span>
      ) : null}
    </button>
  );
}

/** The moderator's pane beside the channel: @chatsdk/react's ModerationQueue, live. */
export function ModerationPane({ onClose }: { onClose: () => void }): ReactNode {
  return (
    <aside className="workspace-moderation" aria-label="Moderation">
      <header className="workspace-moderation-header">
        <h2>Moderation</h2>
        <button type="button" className="icon-button" aria-label="Close moderation" onClick={onClose}>
          ×
        </button>
      </header>
      <ModerationQueue banTimeoutMinutes={BAN_MINUTES} />
    </aside>
  );
}
