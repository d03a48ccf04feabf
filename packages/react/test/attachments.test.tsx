// @vitest-environment jsdom
import './rtl.js';
import { type ChatChannel, type ChatClient, ChatError, type LocalMessage, MessageWindow } from '@chatsdk/core';
import type { Attachment, Message as WireMessage } from '@chatsdk/protocol';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Channel, ChatProvider, MessageInput, MessageList } from '../src/index.js';
import { type Harness, startHarness } from '../../core/test/helpers.js';
import { fakeLayout } from './layout.js';

function wire(channelId: string, id: string, attachments: Attachment[], text = ''): WireMessage {
  const createdAt = new Date().toISOString();
  return {
    id, channelId, seq: 1, userId: 'bob', text, attachments, mentionedUsers: [], quotedMessageId: null, quotedMessage: null,
    parentId: null, showInChannel: false, replyCount: 0, lastReplyAt: null, threadParticipants: [], custom: {}, silent: false, pinnedAt: null, pinnedBy: null,
    reactionCounts: {}, reactionScores: {}, latestReactions: [], ownReactions: [], createdAt, updatedAt: createdAt, editedAt: null, deletedAt: null,
  };
}

const later = Math.floor(Date.now() / 1000) + 86_400;
const signed = (name: string, exp = later) => `https://files.example.com/app/${name}?exp=${exp}&sig=abc`;

describe('attachments in a channel', () => {
  let h: Harness;
  let client: ChatClient;
  let channel: ChatChannel;
  let restore: () => void;
  beforeAll(async () => {
    restore = fakeLayout();
    h = await startHarness();
    client = await h.client('ann');
    channel = await client.channels.create({ type: 'messaging', id: 'files', members: ['ann'] });
  });
  afterAll(async () => {
    restore();
    await h.close();
  });
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  function show(messages: WireMessage[]) {
    const window = new MessageWindow(async () => ({ messages, hasMore: false }), () => true);
    return render(
      <ChatProvider client={client} connect={false}>
        <Channel channel={channel}>
          <MessageList messages={window} />
          <MessageInput />
        </Channel>
      </ChatProvider>,
    );
  }

  it('shows images as thumbnails that open a lightbox: Esc closes it, Tab stays in it, a click outside closes it, arrows go through the images', async () => {
    const view = show([
      wire(channel.id, 'm1', [
        { type: 'image', url: signed('cat.png'), thumbUrl: signed('cat-thumb.webp'), name: 'cat.png', width: 1200, height: 800, size: 123_456 },
        { type: 'file', url: signed('notes.pdf'), name: 'notes.pdf', size: 2_500_000, mimeType: 'application/pdf' },
        { type: 'image', url: signed('dog.png'), name: 'dog.png', width: 100, height: 400 },
        { type: 'link', url: 'https://example.com/post', title: 'A post', siteName: 'Example' },
      ]),
    ]);
    const cat = await screen.findByRole('button', { name: 'Open image cat.png' });
    // The thumbnail is shown, at a size known before it loads (1200 × 800 scaled into 360 × 280).
    const thumb = within(cat).getByRole('img');
    expect(thumb.getAttribute('src')).toBe(signed('cat-thumb.webp'));
    expect([thumb.getAttribute('width'), thumb.getAttribute('height')]).toEqual(['360', '240']);
    const card = screen.getByRole('group', { name: 'File notes.pdf' });
    expect(within(card).getByText('2.4 MB')).toBeTruthy();
    expect(within(card).getByRole('link', { name: 'Download notes.pdf' }).getAttribute('href')).toBe(signed('notes.pdf'));
    expect(screen.getByRole('group', { name: 'Link preview: A post' }).textContent).toContain('Example');

    cat.focus();
    fireEvent.click(cat);
    const dialog = await screen.findByRole('dialog', { name: 'cat.png' });
    // The full image, not the thumbnail; its size; focus on Close.
    expect(within(dialog).getByRole('img', { name: 'cat.png' }).getAttribute('src')).toBe(signed('cat.png'));
    expect(dialog.textContent).toContain('121 KB');
    expect(dialog.textContent).toContain('1 / 2');
    const close = within(dialog).getByRole('button', { name: 'Close' });
    expect(document.activeElement).toBe(close);
    // Tab from the last control goes round to the first; Shift+Tab from the first to the last.
    fireEvent.keyDown(close, { key: 'Tab' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Previous image' }));
    fireEvent.keyDown(document.activeElement as Element, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'ArrowRight' });
    await screen.findByRole('dialog', { name: 'dog.png' });
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(cat);

    fireEvent.click(screen.getByRole('button', { name: 'Open image dog.png' }));
    const again = await screen.findByRole('dialog', { name: 'dog.png' });
    fireEvent.click(within(again).getByRole('img'));
    expect(screen.getByRole('dialog')).toBeTruthy();
    fireEvent.click(again);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    view.unmount();
  });

  it('plays videos and sounds in place, with the thumbnail as the poster and the size known before they load', async () => {
    const view = show([
      wire(channel.id, 'media', [
        { type: 'video', url: signed('clip.mp4'), thumbUrl: signed('clip-thumb.webp'), name: 'clip.mp4', width: 1920, height: 1080, mimeType: 'video/mp4' },
        { type: 'audio', url: signed('note.ogg'), name: 'note.ogg', mimeType: 'audio/ogg' },
      ]),
    ]);
    const video = (await screen.findByLabelText('clip.mp4')) as HTMLVideoElement;
    expect(video.tagName).toBe('VIDEO');
    expect([video.getAttribute('src'), video.getAttribute('poster'), video.hasAttribute('controls')]).toEqual([signed('clip.mp4'), signed('clip-thumb.webp'), true]);
    expect([video.getAttribute('width'), video.getAttribute('height')]).toEqual(['360', '203']);
    const audio = screen.getByLabelText('note.ogg');
    expect([audio.tagName, audio.getAttribute('src')]).toEqual(['AUDIO', signed('note.ogg')]);
    view.unmount();
  });

  it('reads a message again when its links expired, or an image fails to load; not while they are fresh', async () => {
    const refresh = vi.spyOn(channel, 'refreshMessage').mockResolvedValue();
    const past = Math.floor(Date.now() / 1000) - 10;
    const view = show([
      wire(channel.id, 'fresh', [{ type: 'image', url: signed('a.png'), name: 'a.png' }]),
      wire(channel.id, 'stale', [{ type: 'file', url: signed('b.pdf', past), name: 'b.pdf' }]),
    ]);
    await screen.findByRole('button', { name: 'Open image a.png' });
    await waitFor(() => expect(refresh).toHaveBeenCalledWith('stale'));
    expect(refresh).not.toHaveBeenCalledWith('fresh');
    fireEvent.error(within(screen.getByRole('button', { name: 'Open image a.png' })).getByRole('img'));
    expect(refresh).toHaveBeenCalledWith('fresh');
    view.unmount();
  });

  it('shows the files of a message being sent with their progress and a cancel button each', async () => {
    const cancel = vi.spyOn(channel, 'cancelFile').mockReturnValue(true);
    const window = new MessageWindow(async () => ({ messages: [], hasMore: false }), () => true);
    const view = render(
      <ChatProvider client={client} connect={false}>
        <Channel channel={channel}>
          <MessageList messages={window} />
        </Channel>
      </ChatProvider>,
    );
    const sending: LocalMessage = {
      ...wire(channel.id, 'local-1', [], 'two files'),
      seq: 0,
      userId: 'ann',
      status: 'sending',
      clientId: 'local-1',
      files: [
        { id: 'f1', name: 'big.zip', size: 1000, mimeType: 'application/zip', kind: 'file', loaded: 500, state: 'uploading' },
        { id: 'f2', name: 'photo.png', size: 10, mimeType: 'image/png', kind: 'image', loaded: 0, state: 'failed', previewUrl: 'data:image/png;base64,AAAA', error: new ChatError('payload_too_large', 'The file is too large', 413) },
      ],
    };
    act(() => window.putLocal(sending));
    const list = await screen.findByRole('list', { name: 'Files being sent' });
    expect(within(list).getByRole('progressbar', { name: 'Uploading big.zip' }).getAttribute('aria-valuenow')).toBe('50');
    expect(within(list).getByRole('alert').textContent).toBe('The file is too large');
    // A preview that is not blob: or http(s) is never loaded.
    expect(list.querySelector('img')).toBeNull();
    fireEvent.click(within(list).getByRole('button', { name: 'Cancel upload of big.zip' }));
    fireEvent.click(within(list).getByRole('button', { name: 'Remove photo.png' }));
    expect(cancel.mock.calls).toEqual([
      ['local-1', 'f1'],
      ['local-1', 'f2'],
    ]);
    view.unmount();
  });

  it('takes files from the attach button, a drop and a paste, lists them, and sends them with the text', async () => {
    const send = vi.spyOn(channel, 'sendMessage').mockImplementation(async () => ({}) as LocalMessage);
    const view = show([]);
    const composer = screen.getByRole('combobox', { name: 'Write a message' });
    const sendButton = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(sendButton.disabled).toBe(true);
    const picker = document.querySelector<HTMLInputElement>('input[type="file"]') as HTMLInputElement;
    const report = new File(['x'.repeat(2048)], 'report.pdf', { type: 'application/pdf' });
    fireEvent.change(picker, { target: { files: [report] } });
    const staged = await screen.findByRole('list', { name: 'Files to send' });
    expect(within(staged).getByText('report.pdf')).toBeTruthy();
    expect(within(staged).getByText('2.0 KB')).toBeTruthy();
    // Files alone can be sent.
    expect(sendButton.disabled).toBe(false);

    const dropped = new File(['png'], 'dropped.png', { type: 'image/png' });
    const root = composer.closest('.chat-message-input') as HTMLElement;
    fireEvent.dragEnter(root, { dataTransfer: { types: ['Files'], files: [] } });
    expect(root.getAttribute('data-dragging')).toBe('true');
    fireEvent.drop(root, { dataTransfer: { types: ['Files'], files: [dropped] } });
    expect(root.getAttribute('data-dragging')).toBeNull();
    const pasted = new File(['clip'], 'screenshot.png', { type: 'image/png' });
    fireEvent.paste(composer, { clipboardData: { types: ['Files'], files: [pasted] } });
    await waitFor(() => expect(within(staged).getAllByRole('listitem')).toHaveLength(3));
    fireEvent.click(within(staged).getByRole('button', { name: 'Remove dropped.png' }));
    expect(within(staged).queryByText('dropped.png')).toBeNull();

    fireEvent.change(composer, { target: { value: 'the report', selectionStart: 10 } });
    fireEvent.keyDown(composer, { key: 'Enter' });
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]?.[0]).toEqual({ text: 'the report' });
    expect(send.mock.calls[0]?.[1]?.files).toEqual([report, pasted]);
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull());
    view.unmount();
  });
});
