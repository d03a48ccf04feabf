import type { LocalMessage } from '@chatsdk/core';
import { memo, type ReactNode, useContext } from 'react';
import { useFreshLinks } from '../../hooks/use-fresh-links.js';
import { ChannelContext } from '../channel-context.js';
import { FileCard } from './FileCard.js';
import { ImageAttachment } from './ImageAttachment.js';
import { LinkPreview } from './LinkPreview.js';
import { MediaAttachment } from './MediaAttachment.js';

/** Props of `<Attachments>`. */
export interface AttachmentsProps {
  attachments: LocalMessage['attachments'];
  /** The message they belong to: inside a `<Channel>`, images open its lightbox and expired links are renewed. */
  messageId?: string;
  /** The thread the message is in. */
  parentId?: string | null;
}

/**
 * A message's attachments: images as thumbnails (opening the lightbox),
 * videos and sounds with the browser's controls, other files as cards with a
 * download link, link previews as cards. Only http(s) URLs are loaded or linked.
 */
export const Attachments = memo(function Attachments({ attachments, messageId, parentId = null }: AttachmentsProps): ReactNode {
  const context = useContext(ChannelContext);
  const all = attachments;
  useFreshLinks(context?.channel, messageId, all);
  if (all.length === 0) return null;
  const refresh = context && messageId ? () => void context.channel.refreshMessage(messageId).catch(() => undefined) : undefined;
  const open = (index: number) => (context && messageId ? () => context.view.update((state) => ({ ...state, lightbox: { messageId, parentId, attachments: all, index } })) : undefined);
  const media = all.flatMap((attachment, index) => (attachment.type === 'link' ? [] : [{ attachment, index }]));
  const links = all.filter((attachment) => attachment.type === 'link');
  return (
    <>
      {media.length > 0 ? (
        <div className="chat-attachments">
          {media.map(({ attachment, index }) => {
            const key = `${attachment.uploadId ?? attachment.url ?? ''}-${index}`;
            const image = attachment.type === 'image' || (attachment.type !== 'file' && attachment.mimeType?.startsWith('image/'));
            if (image) return <ImageAttachment key={key} attachment={attachment} onOpen={open(index)} onBroken={refresh} />;
            if (attachment.type === 'video' || attachment.type === 'audio') return <MediaAttachment key={key} attachment={attachment} onBroken={refresh} />;
            return <FileCard key={key} name={attachment.name ?? attachment.type} size={attachment.size} url={attachment.url} />;
          })}
        </div>
      ) : null}
      {links.map((attachment, i) => (
        <LinkPreview key={`${attachment.url ?? ''}-${i}`} attachment={attachment} />
      ))}
    </>
  );
});
