import type { Attachment } from '@chatsdk/protocol';
import type { ReactNode } from 'react';
import { displaySize } from './ImageAttachment.js';
import { httpUrl } from './safe-url.js';

/** Props of `<MediaAttachment>`. */
export interface MediaAttachmentProps {
  attachment: Attachment;
  /** The media failed to load (an expired link, say). */
  onBroken?: (() => void) | undefined;
}

/** A video (with its thumbnail as the poster) or a sound, played in place with the browser's controls; only from http(s) URLs. */
export function MediaAttachment({ attachment, onBroken }: MediaAttachmentProps): ReactNode {
  const src = httpUrl(attachment.url);
  const name = attachment.name ?? attachment.type;
  if (!src) return <span className="chat-attachment chat-attachment-unavailable">{name}</span>;
  if (attachment.type === 'audio') {
    return <audio className="chat-attachment chat-attachment-audio" src={src} controls preload="metadata" aria-label={name} onError={onBroken} />;
  }
  const poster = httpUrl(attachment.thumbUrl);
  return (
    <video
      className="chat-attachment chat-attachment-video"
      src={src}
      controls
      preload="metadata"
      aria-label={name}
      onError={onBroken}
      {...(poster ? { poster } : {})}
      {...(displaySize(attachment.width, attachment.height) ?? {})}
    />
  );
}
