import type { Member } from '@chatsdk/protocol';
import { memo, type ReactNode } from 'react';
import { useMembers } from '../hooks/use-members.js';
import { usePresence } from '../hooks/use-presence.js';
import { useUserName } from '../hooks/use-user.js';
import { Avatar } from './Avatar.js';
import { useChannelContext } from './channel-context.js';

const MemberRow = memo(function MemberRow({ member }: { member: Member }): ReactNode {
  const name = useUserName(member.userId);
  const online = usePresence(member.userId)?.online ?? false;
  return (
    <li className="chat-member" data-online={String(online)}>
      <Avatar userId={member.userId} showPresence />
      <span className="chat-member-name">{name}</span>
      {member.role !== 'member' ? <span className="chat-member-role">{member.role}</span> : null}
      <span className="chat-visually-hidden">{online ? ', online' : ', offline'}</span>
    </li>
  );
});

/** The channel's members with their presence, online first. */
export function MemberList(): ReactNode {
  const { channel } = useChannelContext();
  const members = useMembers(channel);
  return (
    <section className="chat-member-list" aria-label="Members">
      <h3>Members ({members.length})</h3>
      <ul>
        {members.map((member) => (
          <MemberRow key={member.userId} member={member} />
        ))}
      </ul>
    </section>
  );
}
