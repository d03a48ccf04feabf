import { useChatClient } from '@chatsdk/react';
import { type ReactNode, useState } from 'react';
import { Dialog } from './Dialog.js';
import { PeoplePicker } from './PeoplePicker.js';
import { usePeople } from './people.js';
import { useCreation } from './use-creation.js';

/** Creates a team channel (members only, listed to the app) with the people picked; the creator owns it. */
export function NewChannelDialog({ me, onCreated, onClose }: { me: string; onCreated: (channelId: string) => void; onClose: () => void }): ReactNode {
  const client = useChatClient();
  const { people } = usePeople(me);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const { busy, error, setError, run } = useCreation(onCreated);

  const submit = () => {
    const trimmed = name.trim().replace(/^#/, '');
    if (!trimmed) return setError('Give the channel a name');
    run(client.channels.create({ type: 'team', name: trimmed, members: [me, ...picked] }));
  };

  return (
    <Dialog title="New channel" onClose={onClose} onSubmit={submit} submitLabel="Create" busy={busy} error={error}>
      <label className="dialog-field">
        Name
        <input value={name} onChange={(event) => setName(event.target.value)} placeholder="e.g. design-review" maxLength={200} autoFocus />
      </label>
      <PeoplePicker legend="Members" people={people} picked={picked} onChange={setPicked} />
    </Dialog>
  );
}
