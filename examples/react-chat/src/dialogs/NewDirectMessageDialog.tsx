import { useChatClient } from '@chatsdk/react';
import { type ReactNode, useState } from 'react';
import { Dialog } from './Dialog.js';
import { PeoplePicker } from './PeoplePicker.js';
import { usePeople } from './people.js';
import { useCreation } from './use-creation.js';

/** Opens the one direct conversation with the people picked (creating it the first time). */
export function NewDirectMessageDialog({ me, onCreated, onClose }: { me: string; onCreated: (channelId: string) => void; onClose: () => void }): ReactNode {
  const client = useChatClient();
  const { people, loading } = usePeople(me);
  const [picked, setPicked] = useState<string[]>([]);
  const { busy, error, setError, run } = useCreation(onCreated);

  const submit = () => {
    if (picked.length === 0) return setError('Pick someone');
    run(client.channels.dm(picked));
  };

  return (
    <Dialog title="New direct message" onClose={onClose} onSubmit={submit} submitLabel="Open" busy={busy} error={error}>
      {loading ? <p>Loading people…</p> : null}
      {!loading && people.length === 0 ? <p>Nobody else has signed in yet: sign in as another demo user in a second window.</p> : null}
      <PeoplePicker legend="With" people={people} picked={picked} onChange={setPicked} />
    </Dialog>
  );
}
