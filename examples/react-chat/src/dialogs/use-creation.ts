import { useState } from 'react';

/** A dialog's one action: busy while it runs, its failure shown, `onCreated` with the new channel's id on success. */
export function useCreation(onCreated: (channelId: string) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (creating: Promise<{ id: string }>) => {
    setBusy(true);
    creating.then(
      (channel) => onCreated(channel.id),
      (failure: unknown) => {
        setBusy(false);
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
  };
  return { busy, error, setError, run };
}
