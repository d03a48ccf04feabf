import type { Attachment } from '@chatsdk/protocol';
import type { ReactNode } from 'react';
import { httpUrl } from './safe-url.js';

/** The largest box an image shows in, in the message list. */
const MAX_WIDTH = 360;
const MAX_HEIGHT = 280;

/** The size an image of `width` × `height` shows at: within the box, its proportions kept (known before it loads, so its row does not jump). */
export function displaySize(width: number | undefined, height: number | undefined): { width: number; height: number } | undefined {
  if (!width || !height) return undefined;
  const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Props of `<ImageAttachment>`. */
export interface ImageAttachmentProps {
  attachment: Attachment;
  /** Opens the lightbox on it; without it the image links to the file. */
  onOpen?: (() => void) | undefined;
  /** The image failed to load (an expired link, say). */
  onBroken?: (() => void) | undefined;
}

/** An image, as its thumbnail: a button that opens the lightbox (a link to the file outside a `<Channel>`). */
export function ImageAttachment({ attachment, onOpen, onBroken }: ImageAttachmentProps): ReactNode {
  const href = httpUrl(attachment.url);
  const src = httpUrl(attachment.thumbUrl) ?? href;
  const name = attachment.name ?? 'image';
  if (!src) return <span className="chat-attachment chat-attachment-unavailable">{name}</span>;
  const size = displaySize(attachment.width, attachment.height);
  const image = <img src={src} alt={name} loading="lazy" decoding="async" onError={onBroken} {...(size ?? {})} />;
  if (onOpen) {
    return (
      <button type="button" className="chat-attachment chat-attachment-image" aria-label={`Open image ${name}`} onClick={onOpen}>
        {image}
      </button>
    );
  }
  return (
    <a className="chat-attachment chat-attachment-image" href={href ?? src} target="_blank" rel="noopener noreferrer nofollow">
      {image}
    </a>
  );
}
