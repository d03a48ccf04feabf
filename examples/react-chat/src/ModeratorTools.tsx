import { moderates } from '@chatsdk/core';
import { useChannelContext, useChannelState, useCurrentUser } from '@chatsdk/react';
import { type ReactNode, useState } from 'react';

const COOLDOWNS = [
  { seconds: 0, label: 'Off' },
  { seconds: 10, label: '10 s' },
  { seconds: 30, label: '30 s' },
  { seconds: 60, label: '1 min' },
];

/** In the channel header, for those who moderate the channel: freeze it, and set slow mode. */
export function ModeratorTools(): ReactNode {
  const { channel } = useChannelContext();
  const state = useChannelState(channel);
  const user = useCurrentUser();
  const [busy, setBusy] = useState(false);
  if (!state || !moderates(state, user)) return null;
  const run = (work: Promise<unknown>) => {
    setBusy(true);
    void work.catch(() => undefined).finally(() => setBusy(false));
  };
  const { frozen, cooldownSeconds } = state.channel;
  return (
    <span className="moderator-tools" role="group" aria-label="Moderate this channel">
      <button type="button" className="chat-button" aria-pressed={frozen} disabled={busy} onClick={() => run(frozen ? channel.moderation.unfreeze() : channel.moderation.freeze())}>
        {frozen ? 'Unfreeze' : 'Freeze'}
      </button>
      <label className="moderator-tools-cooldown">
        <span className="moderator-tools-label">Slow mode</span>
        <select value={cooldownSeconds} disabled={busy} onChange={(event) => run(channel.moderation.setCooldown(Number(event.target.value)))}>
          {COOLDOWNS.some((option) => option.seconds === cooldownSeconds) ? null : <option value={cooldownSeconds}>{cooldownSeconds} s</option>}
          {COOLDOWNS.map((option) => (
            <option key={option.seconds} value={option.seconds}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
    </span>
  );
}
