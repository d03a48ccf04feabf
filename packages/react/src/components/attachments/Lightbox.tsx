import type { Attachment } from '@chatsdk/protocol';
import { type KeyboardEvent, type ReactNode, useEffect, useLayoutEffect, useRef } from 'react';
import { useStoreSelector } from '../../hooks/use-store.js';
import { formatBytes } from '../../internal/format.js';
import { type LightboxTarget, useChannelContext, useChannelView } from '../channel-context.js';
import { httpUrl } from './safe-url.js';

const isImage = (attachment: Attachment) => attachment.type === 'image' || (attachment.type !== 'file' && attachment.type !== 'link' && !!attachment.mimeType?.startsWith('image/'));

/** Moves focus around inside `root` only: Tab from the last control goes to the first, Shift+Tab from the first to the last. */
function trapTab(event: KeyboardEvent<HTMLElement>, root: HTMLElement): void {
  const controls = [...root.querySelectorAll<HTMLElement>('button, a[href]')];
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!first || !last) return;
  const active = root.ownerDocument.activeElement;
  if (event.shiftKey ? active === first || !root.contains(active) : active === last) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}

function Dialog({ target }: { target: LightboxTarget }): ReactNode {
  const { channel, view } = useChannelContext();
  const window = target.parentId ? channel.thread(target.parentId) : channel.messages;
  // Live, so a refreshed link shows; as opened when the message is in none of the channel's windows.
  const live = useStoreSelector(window, (state) => state.messages.find((message) => message.id === target.messageId)?.attachments);
  const attachments = live ?? target.attachments;
  const indexes = attachments.flatMap((attachment, index) => (isImage(attachment) ? [index] : []));
  const at = indexes.indexOf(target.index);
  const attachment = attachments[target.index];
  const dialog = useRef<HTMLDialogElement>(null);
  const close = () => view.update((state) => ({ ...state, lightbox: null }));
  const go = (step: number) => {
    const index = indexes[(at + step + indexes.length) % indexes.length];
    if (index !== undefined) view.update((state) => ({ ...state, lightbox: { ...target, index } }));
  };

  // A modal <dialog> sits in the top layer (above any transform or overflow) and keeps the page behind it inert.
  useLayoutEffect(() => {
    const node = dialog.current;
    if (!node) return;
    const opener = node.ownerDocument.activeElement as HTMLElement | null;
    if (typeof node.showModal === 'function') node.showModal();
    else node.setAttribute('open', '');
    node.querySelector<HTMLElement>('.chat-lightbox-close')?.focus();
    return () => {
      if (typeof node.close === 'function') node.close();
      opener?.focus?.();
    };
  }, []);
  // The message was deleted, or its images changed: nothing to show.
  const gone = !attachment || at < 0;
  useEffect(() => {
    if (gone) close();
  }, [gone]);
  if (gone) return null;

  const url = httpUrl(attachment.url);
  const name = attachment.name ?? 'image';
  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab' && dialog.current) trapTab(event, dialog.current);
    else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && indexes.length > 1) go(event.key === 'ArrowRight' ? 1 : -1);
  };
  return (
    <dialog
      ref={dialog}
      className="chat-lightbox"
      aria-label={name}
      onKeyDown={onKeyDown}
      // Esc in a modal dialog fires `cancel`: React closes it, so its state stays the truth.
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
      // A click on the dialog itself, not on its content, is a click on the backdrop around the image.
      onClick={(event) => {
        if (event.target === event.currentTarget) close();
      }}
    >
      <figure className="chat-lightbox-figure" onClick={(event) => event.target === event.currentTarget && close()}>
        {url ? <img className="chat-lightbox-image" src={url} alt={name} onError={() => void channel.refreshMessage(target.messageId).catch(() => undefined)} /> : null}
        <figcaption className="chat-lightbox-caption">
          <span className="chat-lightbox-name">{name}</span>
          {attachment.size !== undefined ? <span className="chat-lightbox-size">{formatBytes(attachment.size)}</span> : null}
          {indexes.length > 1 ? (
            <span className="chat-lightbox-count">
              {at + 1} / {indexes.length}
            </span>
          ) : null}
        </figcaption>
      </figure>
      <div className="chat-lightbox-actions">
        {indexes.length > 1 ? (
          <>
            <button type="button" className="chat-lightbox-button" aria-label="Previous image" onClick={() => go(-1)}>
              ‹
            </button>
            <button type="button" className="chat-lightbox-button" aria-label="Next image" onClick={() => go(1)}>
              ›
            </button>
          </>
        ) : null}
        {url ? (
          <a className="chat-lightbox-button" href={url} download={name} target="_blank" rel="noopener noreferrer nofollow">
            Download
          </a>
        ) : null}
        <button type="button" className="chat-lightbox-button chat-lightbox-close" aria-label="Close" onClick={close}>
          ✕
        </button>
      </div>
    </dialog>
  );
}

/**
 * The image viewer of a `<Channel>` (which renders it): the image an
 * attachment's thumbnail opened, full size, with its name, size and a
 * download link. Esc, the close button or a click outside the image closes
 * it; Tab stays inside it; arrows go through a message's images.
 */
export function Lightbox(): ReactNode {
  const target = useChannelView((state) => state.lightbox);
  return target ? <Dialog key={`${target.messageId}:${target.parentId ?? ''}`} target={target} /> : null;
}
