import type { User } from '@chatsdk/protocol';
import { useChatClient } from '@chatsdk/react';
import { useEffect, useState } from 'react';

/** The app's other users as ChatSDK knows them (those who signed in once), for the pickers. */
export function usePeople(me: string): { people: User[]; loading: boolean } {
  const client = useChatClient();
  const [people, setPeople] = useState<User[]>([]);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let live = true;
    client.users.query({ limit: 100 }).then(
      (page) => {
        if (!live) return;
        setPeople(page.users.filter((user) => user.id !== me));
        setLoading(false);
      },
      () => live && setLoading(false),
    );
    return () => {
      live = false;
    };
  }, [client, me]);
  return { people, loading };
}
