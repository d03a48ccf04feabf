import { memo, type ReactNode } from 'react';
import { usePresence } from '../hooks/use-presence.js';
import { useUser } from '../hooks/use-user.js';

/** Props of `<Avatar>`. */
export interface AvatarProps {
  /** Whose avatar: their image or initials, loaded by id. */
  userId?: string | null;
  /** A name to show instead of the user's (a channel's, say). */
  name?: string | null;
  /** An image to show instead of the user's. */
  image?: string | null;
  /** Pixels; default 32. */
  size?: number;
  /** Shows a dot when the user is online. */
  showPresence?: boolean;
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}

function PresenceDot({ userId }: { userId: string }): ReactNode {
  const online = usePresence(userId)?.online ?? false;
  return <span className="chat-avatar-presence" data-online={String(online)} aria-label={online ? 'online' : 'offline'} role="img" />;
}

/** A user's (or channel's) picture, or their initials; an online dot with `showPresence`. */
export const Avatar = memo(function Avatar({ userId, name, image, size = 32, showPresence = false }: AvatarProps): ReactNode {
  const user = useUser(name || image ? null : userId);
  const label = name ?? user?.name ?? userId ?? '';
  const src = image ?? user?.image ?? null;
  const safe = src && /^(https?:|data:image\/(png|jpeg|gif|webp);)/i.test(src) ? src : null;
  return (
    <span className="chat-avatar" style={{ width: size, height: size, fontSize: size * 0.4 }} aria-hidden={showPresence ? undefined : true}>
      {safe ? <img className="chat-avatar-image" src={safe} alt="" width={size} height={size} /> : <span className="chat-avatar-initials">{initials(label)}</span>}
      {showPresence && userId ? <PresenceDot userId={userId} /> : null}
    </span>
  );
});
