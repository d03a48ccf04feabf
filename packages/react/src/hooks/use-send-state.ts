import type { ChatChannel, SendState } from '@chatsdk/core';
import { useEffect, useState } from 'react';
import { useStore } from './use-store.js';

/** Whether the user may send in the channel now: `open`, `banned` (with its expiry), `frozen`, or a slow-mode `cooldown`. */
export function useSendState(channel: ChatChannel): SendState {
  return useStore(channel.moderation.sendState);
}

/** Whole seconds left until `until` (epoch ms), ticking once a second; 0 once it passed or without one. */
export function useCountdown(until: number | undefined): number {
  const left = () => (until ? Math.max(0, Math.ceil((until - Date.now()) / 1000)) : 0);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (!until) return;
    // Aligned to the deadline, so the figure turns over when a whole second has passed, not at mount + n s.
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const now = left();
      setSeconds(now);
      if (now > 0) timer = setTimeout(tick, ((until - Date.now()) % 1000) + 5);
    };
    timer = setTimeout(tick, ((until - Date.now()) % 1000) + 5);
    return () => clearTimeout(timer);
  }, [until]);
  return seconds;
}
