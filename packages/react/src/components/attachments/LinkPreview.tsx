import type { Attachment } from '@chatsdk/protocol';
import type { ReactNode } from 'react';
import { httpUrl } from './safe-url.js';

/** A link preview the server added (`type: 'link'`): site name, title, description and image; http(s) only, text as text. */
export function LinkPreview({ attachment }: { attachment: Attachment }): ReactNode {
  const href = httpUrl(attachment.url);
  const image = httpUrl(attachment.image);
  const title = attachment.title ?? href ?? attachment.url;
  if (!title) return null;
  return (
    <div className="chat-link-preview" role="group" aria-label={`Link preview: ${title}`}>
      <div className="chat-link-preview-body">
        {attachment.siteName ? <span className="chat-link-preview-site">{attachment.siteName}</span> : null}
        {href ? (
          <a className="chat-link-preview-title" href={href} target="_blank" rel="noopener noreferrer nofollow">
            {title}
          </a>
        ) : (
          <span className="chat-link-preview-title">{title}</span>
        )}
        {attachment.description ? <p className="chat-link-preview-description">{attachment.description}</p> : null}
      </div>
      {image ? <img className="chat-link-preview-image" src={image} alt="" loading="lazy" decoding="async" /> : null}
    </div>
  );
}
