import type { LocalMessage } from '@chatsdk/core';
import { memo, type ReactNode } from 'react';
import { safeHref } from '../text/tokens.js';

type Attachment = LocalMessage['attachments'][number];

/** Only http(s) URLs are loaded or linked; anything else shows as the file's name. */
function httpUrl(url: string | undefined): string | undefined {
  const href = url ? safeHref(url) : undefined;
  return href && /^https?:/.test(href) ? href : undefined;
}

function Item({ attachment }: { attachment: Attachment }): ReactNode {
  const href = httpUrl(attachment.url);
  const label = attachment.name ?? attachment.type;
  const image = attachment.type === 'image' || attachment.mimeType?.startsWith('image/');
  const src = httpUrl(attachment.thumbUrl) ?? href;
  if (image && src) {
    return (
      <a className="chat-attachment chat-attachment-image" href={href ?? src} target="_blank" rel="noopener noreferrer nofollow">
        <img src={src} alt={label} loading="lazy" {...(attachment.width ? { width: Math.min(attachment.width, 360) } : {})} />
      </a>
    );
  }
  if (!href) return <span className="chat-attachment chat-attachment-file">{label}</span>;
  return (
    <a className="chat-attachment chat-attachment-file" href={href} target="_blank" rel="noopener noreferrer nofollow">
      {label}
    </a>
  );
}

/** A message's attachments: images inline, other files as links; only http(s) URLs are used. */
export const Attachments = memo(function Attachments({ attachments }: { attachments: LocalMessage['attachments'] }): ReactNode {
  if (attachments.length === 0) return null;
  return (
    <div className="chat-attachments">
      {attachments.map((attachment, i) => (
        <Item key={`${attachment.url ?? ''}-${i}`} attachment={attachment} />
      ))}
    </div>
  );
});
